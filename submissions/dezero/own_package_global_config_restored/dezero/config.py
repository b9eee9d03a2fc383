"""逆伝播のスイッチ (ステップ18): モジュール変数で持つ"""
import contextlib

enable_backprop = True


@contextlib.contextmanager
def using_config(name, value):
    old = globals()[name]
    globals()[name] = value
    try:
        yield
    finally:
        globals()[name] = old


def no_grad():
    return using_config("enable_backprop", False)
