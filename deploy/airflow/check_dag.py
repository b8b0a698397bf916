"""Static check of realign_dag.py without Airflow (it cannot be installed where CI runs).

    python3 deploy/airflow/check_dag.py [path/to/realign_dag.py]

Parses the DAG with `ast` (nothing is imported or executed) and checks: the operator comes from
airflow.providers.apache.spark.operators.spark_submit; one SparkSubmitOperator per stage with the
task ids encode, stats, fit, apply, report, each running the realign command of the same name; the
chain encode >> stats >> fit >> apply >> report; the application jar and main class; the
versioned output path (corpus version and run date) and the output modes. Exit 0 when every check
passes, 1 with the failed checks listed otherwise.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

STAGES = ["encode", "stats", "fit", "apply", "report"]
MAIN_CLASS = "dev.realign.cli.RealignCommand"
OPERATOR_MODULE = "airflow.providers.apache.spark.operators.spark_submit"


def constants(tree: ast.Module) -> dict[str, object]:
    """Module-level NAME = <literal> assignments."""
    out: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                if isinstance(node.value, ast.BinOp):  # e.g. OUTPUT + "/encoded"
                    out[node.targets[0].id] = ast.unparse(node.value)
    return out


def operator_calls(tree: ast.Module) -> dict[str, tuple[str, ast.Call]]:
    """variable name -> (task_id, call) for every `x = SparkSubmitOperator(...)`."""
    out: dict[str, tuple[str, ast.Call]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) \
                and node.value.func.id == "SparkSubmitOperator":
            kw = {k.arg: k.value for k in node.value.keywords}
            task_id = ast.literal_eval(kw["task_id"]) if "task_id" in kw else None
            out[node.targets[0].id] = (task_id, node.value)
    return out


def chains(tree: ast.Module) -> list[list[str]]:
    """Every `a >> b >> c` statement as [a, b, c] (variable names)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp) \
                and isinstance(node.value.op, ast.RShift):
            names: list[str] = []

            def flatten(n: ast.AST) -> None:
                if isinstance(n, ast.BinOp) and isinstance(n.op, ast.RShift):
                    flatten(n.left)
                    flatten(n.right)
                elif isinstance(n, ast.Name):
                    names.append(n.id)
                else:
                    names.append(ast.unparse(n))

            flatten(node.value)
            out.append(names)
    return out


def command_of(call: ast.Call) -> str | None:
    """The realign command a task runs: the first of its application_args."""
    kw = {k.arg: k.value for k in call.keywords}
    args = kw.get("application_args")
    if isinstance(args, ast.Call):  # realign_args("stats", ...)
        first = args.args[0] if args.args else None
    elif isinstance(args, (ast.List, ast.BinOp)):
        node = args.left if isinstance(args, ast.BinOp) else args
        first = node.elts[0] if isinstance(node, ast.List) and node.elts else None
    else:
        first = None
    return first.value if isinstance(first, ast.Constant) else None


def check(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    errors: list[str] = []

    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    if not any(n.module == OPERATOR_MODULE and any(a.name == "SparkSubmitOperator"
                                                   for a in n.names) for n in imports):
        errors.append(f"SparkSubmitOperator is not imported from {OPERATOR_MODULE}")

    consts = constants(tree)
    if consts.get("MAIN_CLASS") != MAIN_CLASS:
        errors.append(f"MAIN_CLASS: expected {MAIN_CLASS}, actual {consts.get('MAIN_CLASS')}")
    app = consts.get("APPLICATION")
    if not (isinstance(app, str) and app.endswith("realign-cluster.jar")):
        errors.append(f"APPLICATION: expected the cluster jar (…/realign-cluster.jar), actual {app}")
    if "application=APPLICATION" not in source.replace('"application": APPLICATION',
                                                       "application=APPLICATION"):
        errors.append("the operators do not get application=APPLICATION")
    if "java_class" not in source or "MAIN_CLASS" not in source.split("java_class", 1)[1][:40]:
        errors.append("the operators do not get java_class=MAIN_CLASS")

    output = consts.get("OUTPUT")
    for part in ("corpus={{ params.corpus_version }}", "run={{ ds }}"):
        if not (isinstance(output, str) and part in output):
            errors.append(f"OUTPUT: expected a versioned path containing '{part}', actual {output}")
    first_try = consts.get("FIRST_TRY_ERROR")
    if not (isinstance(first_try, str) and "'error'" in first_try and "'resume'" in first_try):
        errors.append(f"FIRST_TRY_ERROR: expected error on the first try and resume on retries,"
                      f" actual {first_try}")

    ops = operator_calls(tree)
    task_ids = [t for t, _ in ops.values()]
    if sorted(task_ids) != sorted(STAGES):
        errors.append(f"task ids: expected {STAGES}, actual {task_ids}")
    for var, (task_id, call) in ops.items():
        cmd = command_of(call)
        if cmd != task_id:
            errors.append(f"task {task_id}: runs realign command {cmd}, expected {task_id}")
    by_var = {var: task_id for var, (task_id, _) in ops.items()}
    found = [[by_var.get(v, v) for v in chain] for chain in chains(tree)]
    edges = {(c[i], c[i + 1]) for c in found for i in range(len(c) - 1)}
    expected = {(STAGES[i], STAGES[i + 1]) for i in range(len(STAGES) - 1)}
    if edges != expected:
        errors.append(f"dependencies: expected {sorted(expected)}, actual {sorted(edges)}")
    encode = ops.get("encode")
    if encode and "FIRST_TRY_ERROR" not in ast.unparse(encode[1]):
        errors.append("encode (the stage that opens the run's folder) must use FIRST_TRY_ERROR")
    return errors


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("realign_dag.py")
    errors = check(path)
    if errors:
        print(f"{path}: {len(errors)} problem(s)")
        for e in errors:
            print(f"  - {e}")
        return 1
    print(f"{path}: ok (tasks {' >> '.join(STAGES)}, {MAIN_CLASS})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
