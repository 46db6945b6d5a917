"""anaconda.org: the files of a conda package, with archive and (for ``.conda``) installed sizes.

API::

    async def conda_files(channel, name, version=None, subdir=None, *, session, installed=False)
        -> list[CondaFile] | None
    async def conda_installed_bytes(file: CondaFile, *, session) -> int | None

Data: the package files API, ``{anaconda_url}/package/{channel}/{name}/files``: a JSON list with one
object per uploaded file, in upload order (fields used: ``basename`` such as
``"linux-64/pyarrow-15.0.0-py311h39c9aba_0_cpu.conda"``, ``version``, ``size``, ``md5``, ``sha256``,
``upload_time``, ``distribution_type`` (or ``type``), ``labels``, ``download_url`` (protocol-relative,
``//api.anaconda.org/download/...``) and ``attrs`` with ``subdir``, ``build``, ``build_number``,
``depends``). Only conda files are returned. ``version`` keeps the files of that exact version;
``subdir`` keeps that subdir and ``noarch`` (both install on it). ``None`` means the lookup failed
(one warning in ``session.warnings``); an empty list means nothing matched.

Installed size (``installed=True``, or ``conda_installed_bytes``): a ``.conda`` file is a zip (stored
members) holding ``info-*.tar.zst``; its central directory and then only that member are range-read
from ``{conda_url}/{channel}/{basename}``, decompressed (zstd: ``compression.zstd`` on Python 3.14+,
else the ``zstandard`` package from the ``online`` extra) and ``info/paths.json`` is read: the sum of
``paths[].size_in_bytes`` is what the package writes into the environment. Without a zstd module the
session gets one warning and sizes stay ``None``. ``.tar.bz2`` files are not range-readable (one
bzip2 stream): ``installed_bytes`` stays ``None`` without a warning. ``CondaFile.footprint_bytes`` is
the installed size when known, else the archive size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from envslim.online.condainfo import paths_sizes

if TYPE_CHECKING:
    from envslim.online.http import Session


@dataclass(frozen=True)
class CondaFile:
    channel: str
    name: str
    version: str
    build: str
    build_number: int
    subdir: str
    basename: str  # "linux-64/name-version-build.conda"
    size: int  # archive bytes
    md5: str | None
    sha256: str | None
    depends: tuple[str, ...]
    upload_time: str | None
    distribution_type: str
    labels: tuple[str, ...]
    download_url: str  # absolute, as anaconda.org gives it
    url: str  # {conda_url}/{channel}/{basename}: where range reads go
    installed_bytes: int | None = None

    @property
    def filename(self) -> str:
        return self.basename.rsplit("/", 1)[-1]

    @property
    def footprint_bytes(self) -> int:
        return self.installed_bytes if self.installed_bytes is not None else self.size


def _parse_file(record: dict[str, Any], channel: str, name: str, session: Session) -> CondaFile:
    attrs = record.get("attrs") or {}
    basename = record["basename"]
    subdir = attrs.get("subdir") or basename.split("/", 1)[0]
    sha256 = record.get("sha256") or attrs.get("sha256")
    if sha256 == "None":
        sha256 = attrs.get("sha256")
    download = record.get("download_url") or ""
    return CondaFile(
        channel=channel,
        name=attrs.get("name") or name,
        version=str(record.get("version") or attrs.get("version") or ""),
        build=str(attrs.get("build") or ""),
        build_number=int(attrs.get("build_number") or 0),
        subdir=subdir,
        basename=basename,
        size=int(record.get("size") if record.get("size") is not None else attrs["size"]),
        md5=record.get("md5") or attrs.get("md5"),
        sha256=sha256,
        depends=tuple(attrs.get("depends") or ()),
        upload_time=record.get("upload_time"),
        distribution_type=record.get("distribution_type") or record.get("type") or "",
        labels=tuple(record.get("labels") or ()),
        download_url=urljoin(session.anaconda_url + "/", download) if download else "",
        url=f"{session.conda_url}/{channel}/{basename}",
    )


async def conda_files(
    channel: str,
    name: str,
    version: str | None = None,
    subdir: str | None = None,
    *,
    session: Session,
    installed: bool = False,
) -> list[CondaFile] | None:
    """The conda files of ``channel/name`` on anaconda.org; see the module docstring."""
    what = f"anaconda.org {channel}/{name}"
    url = f"{session.anaconda_url}/package/{channel}/{name}/files"
    data = await session.get_json(url, what=what)
    if data is None:
        return None
    if not isinstance(data, list):
        session.warn(f"{what}: unexpected JSON (expected a list of files) ({url})")
        return None
    files = []
    bad = 0
    for record in data:
        try:
            if (record.get("distribution_type") or record.get("type")) != "conda":
                continue
            parsed = _parse_file(record, channel, name, session)
        except (KeyError, TypeError, ValueError, AttributeError):
            bad += 1
            continue
        if version is not None and parsed.version != version:
            continue
        if subdir is not None and parsed.subdir not in (subdir, "noarch"):
            continue
        files.append(parsed)
    if bad:
        session.warn(f"{what}: skipped {bad} file record(s) with unexpected JSON ({url})")
    if installed:
        sizes = await session.gather_ordered(conda_installed_bytes(f, session=session) for f in files)
        files = [replace(f, installed_bytes=s) for f, s in zip(files, sizes)]
    return files


async def conda_installed_bytes(file: CondaFile, *, session: Session) -> int | None:
    """Sum of ``size_in_bytes`` in the package's ``info/paths.json``; ``None`` if out of reach."""
    if not file.basename.endswith(".conda"):
        return None
    key = "conda-installed-bytes:" + file.url
    known = session.recall(key)
    if isinstance(known, int):
        return known
    what = f"anaconda.org {file.channel}/{file.basename}"
    if session.offline:
        session.warn(f"{what}: no cached data (offline)")
        return None
    sizes = await paths_sizes(session, file.url, what=what, size=file.size)
    if sizes is None:
        return None
    missing = sum(1 for s in sizes if not isinstance(s, int))
    if missing:
        session.warn(
            f"{what}: info/paths.json gives no size for {missing} of {len(sizes)} paths ({file.url})"
        )
        return None
    total = sum(sizes)
    session.remember(key, total)
    return total
