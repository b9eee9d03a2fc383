# Negative control for the stand-ins: the grader's stand-in source, read from the stand-in module's file and
# executed as this module's own code, so its classes are copies (new code objects, the stand-in's file name).
# MulLayer and AddLayer are the student's own; the copied classes count as missing. The static scan flags the
# exec for staff (dynamic_code).
import numpy as np
import common.functions  # noqa: F401 (what the stand-in's layers import)
import common.layers as _book
exec(compile(open(_book.__file__).read(), __file__, "exec"))
del _book


class MulLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1
