# -*- coding: utf-8 -*-
# step14: 같은 변수 반복 사용 -- step13 의 클래스를 가져와서 Variable 만 고친다
import numpy as np
from step13 import Function, Square, Add, square, add, as_array
import step13


class Variable(step13.Variable):
    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)

        funcs = [self.creator]
        while funcs:
            f = funcs.pop()
            gys = [output.grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                if x.grad is None:
                    x.grad = gx
                else:
                    x.grad = x.grad + gx   # 미분값을 더해준다
                if x.creator is not None:
                    funcs.append(x.creator)

    def cleargrad(self):
        self.grad = None


step13.Variable = Variable   # Function 이 만드는 출력도 새 Variable 로


if __name__ == '__main__':
    x = Variable(np.array(3.0))
    y = add(x, x)
    y.backward()
    print(x.grad)  # 2.0

    x.cleargrad()
    y = add(add(x, x), x)
    y.backward()
    print(x.grad)  # 3.0
