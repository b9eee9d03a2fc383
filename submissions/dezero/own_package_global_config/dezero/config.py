"""逆伝播のスイッチ (ステップ18): モジュール変数で持つ"""
import contextlib

enable_backprop = True


@contextlib.contextmanager
def using_config(name, value):
    old = globals()[name]
    globals()[name] = value
    yield  # finally で戻していない
    globals()[name] = old


@contextlib.contextmanager
def no_grad():
    global enable_backprop
    enable_backprop = False
    yield
