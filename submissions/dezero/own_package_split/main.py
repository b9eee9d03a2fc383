import numpy as np
from dezero import *
import dezero.functions as F

x = Variable(np.array(2.0))
a = F.square(x)
y = add(F.square(a), F.square(a))
y.backward()
print(y.data, x.grad)
