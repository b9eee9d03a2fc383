# coding: utf-8
# ゼロから作るDeep Learning 6.4.3 Dropout (自分で書いたもの)
# マスクは二項分布から作る: 各ニューロンを確率 (1 - dropout_ratio) で残す
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            # 1 = 残す, 0 = 消す
            self.mask = x > self.dropout_ratio  # np.random.rand(*x.shape) を書き忘れ
            return x * self.mask
        else:
            # テスト時は消去した割合を乗算して出力のスケールを合わせる
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        # 順伝播で消したニューロンには逆伝播でも信号を流さない
        return dout * self.mask


if __name__ == '__main__':
    layer = Dropout(0.5)
    x = np.random.randn(2, 5)
    print(layer.forward(x))
    print(layer.backward(np.ones_like(x)))
