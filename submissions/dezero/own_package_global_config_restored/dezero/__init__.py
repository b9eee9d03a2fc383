from dezero.config import using_config, no_grad
from dezero.variable import Variable, as_variable, as_array
from dezero.function import Function
from dezero.arithmetic import Add, Mul, Neg, Sub, Div, Pow, add, mul, neg, sub, div, pow, setup_variable
from dezero.sin import Sin, sin
from dezero.cos import Cos, cos
from dezero.tanh import Tanh, tanh

setup_variable()
