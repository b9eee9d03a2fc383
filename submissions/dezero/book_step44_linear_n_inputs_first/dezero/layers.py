from dezero.core import Parameter
import weakref
import numpy as np
import dezero.functions as F


# =============================================================================
# Layer (base class)
# =============================================================================
class Layer:
    def __init__(self):
        self._params = set()

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            self._params.add(name)
        super().__setattr__(name, value)

    def __call__(self, *inputs):
        outputs = self.forward(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        self.inputs = [weakref.ref(x) for x in inputs]
        self.outputs = [weakref.ref(y) for y in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, inputs):
        raise NotImplementedError()

    def params(self):
        for name in self._params:
            yield self.__dict__[name]

    def cleargrads(self):
        for param in self.params():
            param.cleargrad()


# =============================================================================
# Linear
# =============================================================================
class Linear(Layer):
    # fully connected layer: n_inputs -> n_outputs (like Keras / torch, sizes up front)
    def __init__(self, n_inputs, n_outputs, nobias=False, dtype=np.float32):
        super().__init__()
        self.W = Parameter(np.random.randn(n_inputs, n_outputs).astype(dtype) * np.sqrt(1 / n_inputs), name='W')
        self.b = None if nobias else Parameter(np.zeros(n_outputs, dtype=dtype), name='b')

    def forward(self, x):
        y = F.linear(x, self.W, self.b)
        return y
