import unittest

import numpy as np

from dezero import Variable, square


class SquareTest(unittest.TestCase):
    def test_forward(self):
        x = Variable(np.array(2.0))
        y = square(x)
        self.assertEqual(y.data, np.array(4.0))


if __name__ == '__main__':
    unittest.main()
