"""The served process limits math libraries to one thread each; training does not."""

from veivis.math_threads import SERVING_THREADS, limit_math_threads


def test_serving_gets_one_math_thread_per_library():
    environ: dict = {}
    limit_math_threads(["rasa", "run", "--model", "m.tar.gz"], environ)
    assert {environ[name] for name in SERVING_THREADS} == {"1"}


def test_an_operators_own_setting_wins():
    environ = {"OMP_NUM_THREADS": "4"}
    limit_math_threads(["rasa", "run"], environ)
    assert environ["OMP_NUM_THREADS"] == "4"
    assert environ["OPENBLAS_NUM_THREADS"] == "1"


def test_training_keeps_the_libraries_defaults():
    environ: dict = {}
    limit_math_threads(["rasa", "train"], environ)
    assert environ == {}
