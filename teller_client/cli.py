"""The ``teller-client`` command.

Sub-commands::

    teller-client [run] [--training] [--central-url URL [--ca-bundle PEM]] [--lang zh|en]
                                                        the desktop program (default)
    teller-client validate FORM.json [--today D] [--json] [--lang zh|en]
    teller-client catalogue [--json]                    what the shipped catalogue holds
    teller-client store info|upgrade [--training]       the local store, for branch IT
    teller-client serve-training [--host H] [--port P] [--data DIR] [--tls] [--business-date D]
                                                        the training central service, until Ctrl+C
    teller-client eform decode [--trust KID=PUBLIC_KEY.pem]... [--allow-unsigned] [--training] [--now RFC3339] [FILE|-]
    teller-client eform generate --key PRIVATE_KEY.pem --kid KID [--max-part-chars N] [--pdf OUT.pdf] FORM.json
                                                        e-form barcodes (contract EF1): read or make symbol texts
    teller-client eform scan IMAGE|PDF...               the barcode texts in scanned pages or photos
    teller-client devices [--json] [--timeout S] [--profiles DIR]
                                                        card readers, UKey modules and tokens at this counter
    teller-client print-test [--printer SPEC] [--pdf OUT.pdf] [--training]
                                                        the letter calibration page and a sample letter (dummy secret)
    teller-client autopilot SCENARIO [--json] [--visible] [--lang zh|en] [--folder DIR] [--screenshots DIR]
                                                        the real wizard driven through a scenario on a training bench
    teller-client version

Exit codes: 0 success; 1 the input was checked and has problems; 2 the command
could not do its work (bad arguments, unreadable file, broken installation).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from teller_client import __version__
from teller_client.errors import TellerError
from teller_client.logs import configure_logging
from teller_client.paths import data_dir, log_dir

EXIT_OK, EXIT_PROBLEMS, EXIT_FAILED = 0, 1, 2
COMMANDS = ("run", "validate", "catalogue", "store", "settings", "serve-training", "eform", "devices", "print-test", "autopilot", "version")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="log at DEBUG level")
    parser = argparse.ArgumentParser(prog="teller-client", description="One-stop corporate e-channel signing at the branch counter.")
    parser.add_argument("--version", action="version", version=f"teller-client {__version__}")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", parents=[common], help="start the desktop program (the default)")
    _run_options(run)

    val = sub.add_parser("validate", parents=[common], help="check an eform/1 application document and list every problem")
    val.add_argument("file", help="the eform/1 JSON document, or - for standard input")
    val.add_argument("--today", type=date.fromisoformat, help="business date YYYY-MM-DD (default: today)")
    val.add_argument("--json", action="store_true", help="print the report as JSON")
    val.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the messages (default zh)")

    cat = sub.add_parser("catalogue", parents=[common], help="summarise the shipped product catalogue")
    cat.add_argument("--json", action="store_true", help="print channels and bundles as JSON")

    settings = sub.add_parser("settings", parents=[common], help="read or write the local settings (branch IT)")
    settings.add_argument("action", choices=("list", "get", "set"))
    settings.add_argument("key", nargs="?", help="e.g. central.url, central.ca_bundle, workstation.id, ui.idle_lock_minutes")
    settings.add_argument("value", nargs="?", help='JSON (10, true, "text") or plain text')
    settings.add_argument("--training", action="store_true", help="the training store's settings")

    store = sub.add_parser("store", parents=[common], help="the local store (branch IT)")
    store.add_argument("action", choices=("info", "upgrade"))
    store.add_argument("--training", action="store_true", help="the training store instead of the production one")

    serve = sub.add_parser("serve-training", parents=[common], help="run the training central service (practice, demos, tests)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8480, help="port (default 8480; 0 picks a free one)")
    serve.add_argument("--data", type=Path, help="its data folder (default: the training data folder's central/)")
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a certificate from the training CA")
    serve.add_argument("--business-date", type=date.fromisoformat, help="business date YYYY-MM-DD (default: today in Asia/Shanghai)")

    _eform_options(sub.add_parser("eform", parents=[common], help="e-form barcodes: decode scanned symbol texts or generate them"), common)

    dev = sub.add_parser("devices", parents=[common], help="list card readers, UKey modules and tokens (branch IT)")
    dev.add_argument("--json", action="store_true", help="print the inventory as JSON")
    dev.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds each reader/module may take (default 10)")
    dev.add_argument("--profiles", type=Path, action="append", default=[], metavar="DIR", help="also load vendor profiles from DIR")

    pt = sub.add_parser("print-test", parents=[common], help="print the letter calibration page and a sample letter (branch IT)")
    pt.add_argument(
        "--printer", metavar="SPEC", help="raw:HOST:PORT, cups:QUEUE, windows:NAME, escp+raw:HOST:PORT (default: setting printer.letter)"
    )
    pt.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="write the two pages to a PDF instead of printing")
    pt.add_argument("--training", action="store_true", help="use the training store's settings")

    ap = sub.add_parser(
        "autopilot", parents=[common], help="drive the real wizard through a scenario (training bench: service, SoftHSM UKeys, printer)"
    )
    ap.add_argument("scenario", metavar="SCENARIO", help="a scenario name of resources/scenarios (standard, ...) or a .toml file")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--visible", action="store_true", help="show the window (default: offscreen)")
    ap.add_argument("--lang", choices=("zh", "en"), help="the UI language (default: the scenario's)")
    ap.add_argument("--folder", type=Path, metavar="DIR", help="the bench's folder (default: a new one under the temp folder)")
    ap.add_argument("--screenshots", type=Path, metavar="DIR", help="save a picture of every page as it is reached")

    sub.add_parser("version", parents=[common], help="print the version")
    return parser


def _eform_options(parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="eform_action", required=True)
    dec = actions.add_parser("decode", parents=[common], help="symbol texts (one a line, any order) -> the form document JSON")
    dec.add_argument("file", nargs="?", default="-", help="the symbol texts, or - for standard input (default)")
    dec.add_argument("--trust", action="append", default=[], metavar="KID=PUBLIC_KEY.pem", help="trust this Ed25519 key")
    dec.add_argument("--allow-unsigned", action="store_true", help="accept forms without a trusted signature, marked unverified")
    dec.add_argument("--training", action="store_true", help="trust the shipped TRAINING key")
    dec.add_argument("--now", metavar="RFC3339", help="the time for the expiry check (default: now)")
    gen = actions.add_parser("generate", parents=[common], help="sign a form document and print its symbol texts")
    gen.add_argument("file", metavar="FORM.json", help="the eform/1 document, or - for standard input")
    gen.add_argument("--key", required=True, type=Path, metavar="PRIVATE_KEY.pem", help="Ed25519 private key (PKCS#8 PEM)")
    gen.add_argument("--kid", required=True, help="the key id written into the signature")
    gen.add_argument("--max-part-chars", type=int, default=800, metavar="N", help="longest symbol text (default 800)")
    gen.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="also write the printable A4 form with the barcodes")
    scan = actions.add_parser(
        "scan", parents=[common], help="print the texts of the barcodes in scanned images or PDFs (one a line; pipe into eform decode)"
    )
    scan.add_argument("files", nargs="+", type=Path, metavar="IMAGE|PDF", help="PNG, JPEG, BMP, TIFF or PDF files")


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--training", action="store_true", help="training mode: embedded defaults, no bank system contacted")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the program (default: last used, else zh)")
    parser.add_argument(
        "--central-url",
        metavar="URL",
        help="the central signing service (production), e.g. https://central.bank.example; default: the setting central.url",
    )
    parser.add_argument(
        "--ca-bundle",
        metavar="PEM",
        type=Path,
        help="CA certificates (PEM) that the central service's TLS certificate is checked against; default: the setting "
        "central.ca_bundle, else the system's",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="installation check: open the window and the local store, then exit (0 = all good)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list = ["run", *args_list]  # plain `teller-client --training` starts the program
    args = parser.parse_args(args_list)
    level = logging.DEBUG if args.debug else logging.INFO
    try:
        if args.command == "run":
            # The windowed Windows program has no stderr: log to the file only there.
            configure_logging(log_dir(), level, console=sys.stderr is not None)
            from teller_client.ui.app import run_gui  # Qt only for the GUI

            return run_gui(
                training=args.training,
                data_dir=data_dir(args.training),
                lang=args.lang,
                self_test=args.self_test,
                central_url=args.central_url,
                ca_bundle=args.ca_bundle,
            )
        if args.command == "serve-training":
            configure_logging(None, level)
            from teller_client.training.server import serve  # starlette and uvicorn only for this command

            return serve(args.host, args.port, args.data or data_dir(training=True) / "central", args.tls, args.business_date)
        configure_logging(None, logging.DEBUG if args.debug else logging.WARNING)
        if args.command == "validate":
            return _validate(args)
        if args.command == "catalogue":
            return _catalogue(args)
        if args.command == "settings":
            return _settings(args)
        if args.command == "store":
            return _store(args)
        if args.command == "devices":
            from teller_client.flows.device_report import run_devices  # device drivers only for this command

            return run_devices(args)
        if args.command == "print-test":
            return _print_test(args)
        if args.command == "autopilot":
            return _autopilot(args)
        if args.command == "eform":
            from teller_client.eform.cli import run_eform  # cryptography only for this command

            return run_eform(args, _read_json)
        print(f"teller-client {__version__}")
        return EXIT_OK
    except TellerError as exc:
        print(f"teller-client: {exc.message_zh} / {exc.message_en}", file=sys.stderr)
        return EXIT_FAILED


def _autopilot(args: argparse.Namespace) -> int:
    from teller_client.ui.autopilot import run_autopilot  # Qt, the training bench and SoftHSM only for this command

    report = run_autopilot(args.scenario, folder=args.folder, visible=args.visible, language=args.lang, screenshots=args.screenshots)
    print(report.to_json() if args.json else report.summary(args.lang or report.language))
    return report.exit_code


def _print_test(args: argparse.Namespace) -> int:
    from teller_client.flows.print_test import run_print_test  # reportlab and the printer drivers only for this command
    from teller_client.store.database import STORE_FILE, open_store
    from teller_client.store.settings import SettingsRepository

    store = open_store(data_dir(args.training) / STORE_FILE)
    try:
        settings = SettingsRepository(store).all()
    finally:
        store.close()
    if str(args.printer or settings.get("printer.letter") or "").startswith("qt:"):
        from teller_client.ui.spooler_printer import install  # Qt only for a printer of the system's spooler

        install()
    return run_print_test(args, settings)


def _read_json(name: str) -> Any:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TellerError(f"cannot read {name}: {exc}", f"无法读取 {name}：{exc}", code="input_unreadable") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TellerError(
            f"{name} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            f"{name} 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）",
            code="input_not_json",
        ) from exc


def _validate(args: argparse.Namespace) -> int:
    from teller_client.domain.document import snapshot_hash
    from teller_client.domain.validation import validate

    report = validate(_read_json(args.file), today=args.today)
    if args.json:
        out = report.to_dict()
        if report.ok and report.application is not None:
            out["snapshot_hash"] = snapshot_hash(report.application)
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            mark = "错误" if p.severity == "error" else "提示"
            if args.lang == "en":
                mark = "error" if p.severity == "error" else "warning"
            print(f"{mark}\t{p.pointer}\t{p.code}\t{p.message(args.lang)}")
        if report.ok and report.application is not None:
            print(("有效，快照哈希 " if args.lang == "zh" else "valid, snapshot hash ") + snapshot_hash(report.application))
        else:
            n = len(report.errors)
            print(f"{n} 处错误" if args.lang == "zh" else f"{n} error(s)", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _catalogue(args: argparse.Namespace) -> int:
    from teller_client.domain.catalogue import load_catalogue

    cat = load_catalogue()
    menus, groups, functions = cat.counts
    if args.json:
        print(
            json.dumps(
                {
                    "version": cat.version,
                    "counts": {"menus": menus, "groups": groups, "functions": functions},
                    "channels": [{"id": c.id.value, "zh": c.zh, "en": c.en} for c in cat.channels.values()],
                    "bundles": [
                        {
                            "id": b.id,
                            "channel": b.channel.value,
                            "mode": b.mode.value,
                            "zh": b.zh,
                            "functions": len(b.functions),
                            "annual_fee": str(b.annual_fee),
                        }
                        for b in cat.bundles.values()
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    print(f"catalogue {cat.version}: {menus} menus, {groups} groups, {functions} functions, {len(cat.bundles)} bundles")
    for channel in cat.channels.values():
        bundles = ", ".join(f"{b.id} ({len(b.functions)}, {b.annual_fee} CNY)" for b in cat.bundles_for(channel.id))
        print(f"  {channel.id.value:<30} {channel.zh:<8} {len(cat.functions_for(channel.id)):>4} functions; {bundles}")
    return EXIT_OK


def _settings(args: argparse.Namespace) -> int:
    from teller_client.store.database import STORE_FILE, open_store
    from teller_client.store.settings import SettingsRepository

    if args.action in ("get", "set") and not args.key:
        print(f"teller-client settings {args.action}: a key is needed", file=sys.stderr)
        return EXIT_FAILED
    if args.action == "set" and args.value is None:
        print("teller-client settings set: a value is needed", file=sys.stderr)
        return EXIT_FAILED
    store = open_store(data_dir(args.training) / STORE_FILE)
    try:
        repo = SettingsRepository(store)
        if args.action == "list":
            for key, stored in repo.all().items():
                print(f"{key}\t{json.dumps(stored, ensure_ascii=False)}")
        elif args.action == "get":
            print(json.dumps(repo.get(args.key), ensure_ascii=False))
        else:
            try:
                value: Any = json.loads(args.value)
            except json.JSONDecodeError:
                value = args.value
            try:
                repo.set(args.key, value)
            except ValueError as exc:
                print(f"teller-client settings set: {exc}", file=sys.stderr)
                return EXIT_FAILED
            print(f"{args.key}\t{json.dumps(value, ensure_ascii=False)}")
    finally:
        store.close()
    return EXIT_OK


def _store(args: argparse.Namespace) -> int:
    from teller_client.store.database import STORE_FILE, current_revision, head_revision, make_engine, open_store

    path = data_dir(args.training) / STORE_FILE
    if args.action == "upgrade":
        store = open_store(path)
        print(f"{path}: revision {current_revision(store.engine)} (head {head_revision()})")
        store.close()
        return EXIT_OK
    if not path.exists():
        print(f"{path}: not created yet (head revision {head_revision()})")
        return EXIT_OK
    engine = make_engine(path)
    try:
        print(f"{path}: revision {current_revision(engine)} (head {head_revision()}), {path.stat().st_size} bytes")
    finally:
        engine.dispose()
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
