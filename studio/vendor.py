"""Static files: our own assets, and whitelisted front-end packages from node_modules.

Why a whitelist instead of serving node_modules: only the files the pages use
are reachable (no package.json, sources or maps of every transitive package),
and nothing third-party is committed — ``npm ci`` installs the pinned versions
from package-lock.json (``make run`` / ``make test``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"
BPMN_ASSETS = "dist/assets/"
#: package -> files (relative to the package folder) the UI may load.
WHITELIST: dict[str, frozenset[str]] = {
    "htmx.org": frozenset({"dist/htmx.min.js"}),
    "socket.io-client": frozenset({"dist/socket.io.min.js"}),
    "chart.js": frozenset({"dist/chart.umd.js"}),
    # The studio's modeler bundle (bpmn-js + Camunda properties panel), built by `npm ci`
    # (package.json `prepare` -> studio/assets/build.mjs).
    ".casestudio": frozenset({"modeler.js", "modeler.css"}),
    "bpmn-js": frozenset({
        "dist/bpmn-navigated-viewer.production.min.js",
        "dist/bpmn-modeler.production.min.js",
        BPMN_ASSETS + "diagram-js.css", BPMN_ASSETS + "bpmn-js.css",
        BPMN_ASSETS + "bpmn-font/css/bpmn.css",
        *(BPMN_ASSETS + f"bpmn-font/font/bpmn.{ext}" for ext in ("woff2", "woff", "ttf",
                                                                  "eot", "svg")),
    }),
}
ONE_DAY = 86400

bp = Blueprint("assets", "studio", static_folder="static", static_url_path="/static/studio")


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str) -> Any:
    """One whitelisted file of an installed npm package (404 for anything else).

    ``dist/`` may be left out of the URL (``/vendor/socket.io-client/socket.io.min.js``).
    """
    allowed = WHITELIST.get(package, frozenset())
    if filename not in allowed:
        filename = "dist/" + filename
        if filename not in allowed:
            abort(404)
    folder = NODE_MODULES / package
    if not (folder / filename).is_file():
        abort(404, description=f"{package} is not installed: run `npm ci` (make install)")
    return send_from_directory(folder, filename, max_age=ONE_DAY)
