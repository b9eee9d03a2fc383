from dezero.core import Variable, Function, Config, using_config, no_grad, as_array, add, Add
from dezero.functions import square, exp, Square, Exp
