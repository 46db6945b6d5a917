"""A rule walks the environment only where it judges a fix on it: the target and the channel that serves a
package are read from the file and the snapshot's index (the hook pays for the walk only when it must)."""

from __future__ import annotations

from envslim.document.envfile import EnvFile
from envslim.environment import model
from envslim.plan import plan_document

TORCH = """name: infer
channels:
  - pytorch
  - conda-forge
dependencies:
  - python=3.10
  - pytorch=2.2
  - torchvision
  - cpuonly
  - numpy
  - pillow
  - transformers
  - onnxruntime
  - fastapi
  - uvicorn
  - pip
"""


def _walks(monkeypatch, text: str, walked: list | None = None) -> tuple[int, list[str]]:
    walked = [] if walked is None else walked
    real = model.Environment._walk

    def counted(self):
        walked.append(sorted(self.requested))
        return real(self)

    monkeypatch.setattr(model.Environment, "_walk", counted)
    model.snapshot().memo.clear()  # (no walk remembered from another test)
    plan = plan_document(EnvFile.from_bytes(text.encode(), "environment.yml"))
    return len(walked), [f"{o.finding.rule} {o.finding.package}" for o in plan.outcomes]


def test_a_file_whose_fixes_need_no_judgement_on_the_environment_is_not_walked(monkeypatch):
    walks, findings = _walks(monkeypatch, TORCH)
    assert findings == ["ES007 defaults", "ES005 numpy"]
    assert walks == 0


def test_a_move_is_judged_on_the_walked_environment_once(monkeypatch):
    text = "name: x\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pyarrow\n  - pandas\n"
    walked: list = []
    _, findings = _walks(monkeypatch, text, walked)
    assert "ES001 pyarrow" in findings
    # the file's environment once, and the pip line the move adds (the file has none) alone, to price it
    assert walked == [["pandas", "pyarrow", "python"], ["pip"]]


def test_a_move_in_a_file_with_pip_walks_once(monkeypatch):
    text = "name: x\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pyarrow\n  - pandas\n  - pip\n"
    walked: list = []
    _, findings = _walks(monkeypatch, text, walked)
    assert "ES001 pyarrow" in findings and walked == [["pandas", "pip", "pyarrow", "python"]]
