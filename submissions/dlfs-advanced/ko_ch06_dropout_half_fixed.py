# -*- coding: utf-8 -*-
# 6.4.3 드롭아웃 (Dropout) 구현
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio  # 삭제할 뉴런의 비율
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            # 훈련 때는 순전파마다 삭제할 뉴런을 무작위로 선택 (절반)
            self.mask = np.random.rand(*x.shape) > 0.5
            return x * self.mask
        # 시험 때는 각 뉴런의 출력에 훈련 때 삭제하지 않은 비율을 곱한다
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        # ReLU와 같은 원리: 순전파 때 통과시킨 뉴런만 역전파 때도 신호를 통과시킨다
        return dout * self.mask
