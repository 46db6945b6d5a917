"""The one redactor, on every form a credential takes in a URL, and the one size formatter."""

from __future__ import annotations

import pytest

from envslim.display import mb, redact


@pytest.mark.parametrize(("text", "shown"), [
    ("https://user:pass@host/x", "https://***@host/x"),
    ("https://user:p@ss@host/x", "https://***@host/x"),  # an unescaped @ in the password
    ("git+https://ghp_abc123@github.com/org/repo.git@v1", "git+https://***@github.com/org/repo.git@v1"),
    ("https://conda.anaconda.org/t/tk-1-abc/private/linux-64", "https://conda.anaconda.org/t/***/private/linux-64"),
    ("https://conda.anaconda.org/t/SECRET", "https://conda.anaconda.org/t/***"),  # no trailing slash
    ("channel 'https://conda.anaconda.org/t/SECRET' dropped", "channel 'https://conda.anaconda.org/t/***' dropped"),
    ("http://localhost:8080/t/abc", "http://localhost:8080/t/***"),
    ("conda.anaconda.org/t/SECRET/chan", "conda.anaconda.org/t/***/chan"),  # schemeless
    ("conda.anaconda.org/t/SECRET", "conda.anaconda.org/t/***"),
    ("user:s3cret@conda.example.com/private::numpy", "***@conda.example.com/private::numpy"),  # schemeless
    ("--index-url=user:tok@pypi.example.com/simple", "--index-url=***@pypi.example.com/simple"),
    ("https://user:pw@repo.example.com/conda/t/tok/chan", "https://***@repo.example.com/conda/t/***/chan"),
    ("invalid specifier '://user:TOKEN@host/foo-1.0.tar.gz'", "invalid specifier '://***@host/foo-1.0.tar.gz'"),
    ("user:tok@[::1]:8080/simple", "***@[::1]:8080/simple"),  # an IPv6 host
    ("user:tok@exämple.com/x", "***@exämple.com/x"),  # an IDN host
    ("(from user:tok@conda.example.com)", "(from ***@conda.example.com)"),
    ('{"url": "https://u:p@h.example/x", "a": "b\\"c@d.example"}', '{"url": "https://***@h.example/x", "a": "b\\"c@d.example"}'),
    ("x/&#x27;u:p@h.example&#x27;", "x/&#x27;***@h.example&#x27;"),  # an HTML entity is never cut
    ('["x/\\u001bu:p@h.example"]', '["x/\\u001bu:p@h.example"]'),  # nor a JSON escape
    ("invalid specifier ':TOKEN@host.example/x.tar.gz'", "invalid specifier '***@host.example/x.tar.gz'"),  # no user
    # not credentials
    ("conda-forge::numpy", "conda-forge::numpy"),
    ("NAME[:TAG][@DIGEST], e.g. debian", "NAME[:TAG][@DIGEST], e.g. debian"),
    ("write to user@example.com", "write to user@example.com"),
    ("./t/local/channel", "./t/local/channel"),
    ("numpy 1.2.* py_0 at 12:30", "numpy 1.2.* py_0 at 12:30"),
    ("https://pypi.org/simple", "https://pypi.org/simple"),
])
def test_redact(text, shown):
    assert redact(text) == shown


def test_every_output_uses_the_one_redactor():
    from envslim.online import http
    from envslim.output import rewrite

    assert http.redact is redact and rewrite.redact is redact


def test_mb():
    assert [mb(None), mb(0), mb(231_000_000), mb(1_030_400_000)] == ["unknown", "0.0 MB", "231.0 MB", "1,030.4 MB"]
