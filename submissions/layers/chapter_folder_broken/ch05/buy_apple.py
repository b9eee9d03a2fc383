# The buy-apple demo, importing a misspelt module name.
from layer_navie import MulLayer

apple_layer = MulLayer()
print(apple_layer.forward(100, 2))
