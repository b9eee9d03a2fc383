"""What a module's top level needed that grading lacks, read from the exception that stopped it."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.inside import loading, unavailable


def _stop(tmp_path: Path, source: str) -> loading.Stop:
    """Run `source` as the top level of tmp_path/step26.py (cwd tmp_path): where and why it stopped."""
    filename = tmp_path / "step26.py"
    filename.write_text(source)
    code = compile(source, str(filename), "exec")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        try:
            exec(code, {"__name__": "step26"})
        except Exception as exc:
            return loading.stop_of(exc, str(filename), "step26.py", str(tmp_path))
    raise AssertionError("the source did not raise")


def _note(tmp_path: Path, stop: loading.Stop) -> str:
    return loading.data_set_stop_note(stop, loading.outline(str(tmp_path / "step26.py")))


def test_a_folder_under_an_unexpanded_home_is_the_home_directory(tmp_path: Path) -> None:
    """The book's plot_dot_graph makes ~/.dezero; with no home, `~` stays `~` and os.mkdir cannot: said as the
    home directory (it was "needs a data set"), a note like a data set's."""
    stop = _stop(tmp_path, "import os\nos.mkdir(os.path.join('~', '.dezero'))\n")
    assert stop.data_set and stop.needs is unavailable.HOME
    assert "home directory" in _note(tmp_path, stop)


def test_an_oserror_out_of_subprocess_is_another_program(tmp_path: Path) -> None:
    """subprocess.run failing (a refused fork, or no such program) is the code running another program."""
    source = f"import subprocess\nsubprocess.run([{str(tmp_path / 'no-dot-here')!r}, '-Tpng'])\n"
    stop = _stop(tmp_path, source)
    assert stop.data_set and stop.needs is unavailable.PROGRAM
    assert "runs another program" in _note(tmp_path, stop)


def test_an_oserror_out_of_a_download_is_a_download(tmp_path: Path) -> None:
    """The book's dataset/mnist.py downloading (urlretrieve; here to a closed local port, as the sandbox's
    empty network refuses): the note says the code downloads a data set, not an exception."""
    source = "import urllib.request\nurllib.request.urlretrieve('http://127.0.0.1:1/mnist.gz', 'm.gz')\n"
    stop = _stop(tmp_path, source)
    assert stop.data_set and stop.needs is unavailable.DOWNLOAD
    assert "downloads a data set, and grading has no network" in _note(tmp_path, stop)


def test_a_missing_data_file_is_still_a_data_set(tmp_path: Path) -> None:
    """np.load of a file that is not handed in keeps the data-set note."""
    stop = _stop(tmp_path, "import numpy as np\nx = np.load('mnist.npz')\n")
    assert stop.data_set and stop.needs is unavailable.DATA_SET
    assert "needs a data set" in _note(tmp_path, stop)


@pytest.mark.parametrize(
    "name", ["params.pkl", "deep_convnet_params.pkl", "sample_weight.pkl", "weights.pickle", "Model.pkl"]
)
def test_a_missing_pickle_of_weights_is_the_parameters_file(tmp_path: Path, name: str) -> None:
    """The book's `network.load_params("params.pkl")` at the top level (ch07's visualize_filter.py, ch08's
    scripts; ch03's sample_weight.pkl): the pickled weights the code opens, and what to do, not "needs a
    data set" (s29-realdlfs). Control: the MNIST pickle (dataset/mnist.py's mnist.pkl) is a data set."""
    source = f"import pickle\nwith open({name!r}, 'rb') as f:\n    params = pickle.load(f)\n"
    stop = _stop(tmp_path, source)
    assert stop.data_set and stop.needs is unavailable.PARAMS
    note = _note(tmp_path, stop)
    assert "pickled parameters file" in note and "if __name__" in note and "data set" not in note
    mnist = _stop(
        tmp_path, "import pickle\nwith open('dataset/mnist.pkl', 'rb') as f:\n    d = pickle.load(f)\n"
    )
    assert mnist.needs is unavailable.DATA_SET


@pytest.mark.parametrize("name", ["ptb.vocab.pkl", "cifar10.pkl", "train_data.pkl", "spiral.pickle"])
def test_a_missing_pickle_of_a_data_set_is_no_parameters_file(tmp_path: Path, name: str) -> None:
    """A pickle whose name does not say weights (the second book's dataset/ptb.py opens ptb.vocab.pkl, a
    cifar10.pkl, a train_data.pkl) is still a data set, not "trained weights save_params wrote" (review of
    s29-realdlfs: every pickle but MNIST's was told so)."""
    source = f"import pickle\nwith open({name!r}, 'rb') as f:\n    d = pickle.load(f)\n"
    stop = _stop(tmp_path, source)
    assert stop.needs is unavailable.DATA_SET
    assert "needs a data set" in _note(tmp_path, stop)
    assert not unavailable.names_a_params_pickle(name)


def test_a_permission_error_of_the_codes_own_making_is_an_error(tmp_path: Path) -> None:
    """An OSError raised by the student's own code, or by a library other than subprocess, is not excused."""
    own = _stop(tmp_path, "raise PermissionError(1, 'Operation not permitted')\n")
    assert not own.data_set
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "kept.txt").write_text("")
    library = _stop(tmp_path, "import shutil\nshutil.copytree('full', 'full')\n")  # FileExistsError
    assert not library.data_set
