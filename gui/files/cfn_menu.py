"""File > Import CloudFormation... and File > Export CloudFormation... (issue 16).

An import opens the template's topology as a new, unsaved document and shows what was mapped and
what was left out; an export writes the template and shows what the template cannot say. The
dialogs go through module functions (`choose_template_path`, `choose_export_path`, `show_report`,
`warn`) so tests replace them instead of clicking through modal boxes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QMenu, QMessageBox,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from engine import fileio
from engine.cfn.export import export_with_notes
from engine.cfn.parse import CfnError
from engine.cli_cfn import import_file, summary_lines, write_json
from engine.model import Document

TEMPLATE_FILTER = "CloudFormation template (*.yaml *.yml *.json *.template);;All files (*)"
EXPORT_FILTER = "CloudFormation template (*.json)"


# -- dialogs (replaced in tests) --------------------------------------------------------------------
def choose_template_path(parent: QWidget, folder: str) -> str:
    return QFileDialog.getOpenFileName(parent, "Import CloudFormation template", folder, TEMPLATE_FILTER)[0]


def choose_export_path(parent: QWidget, suggested: str) -> str:
    return QFileDialog.getSaveFileName(parent, "Export CloudFormation template", suggested, EXPORT_FILTER)[0]


def warn(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def show_report(parent: QWidget, title: str, heading: str, lines: list[str]) -> None:
    ReportDialog(parent, title, heading, lines).exec()


class ReportDialog(QDialog):
    """A heading and a read-only, selectable list: what the import mapped and left out, or what an
    export could not express."""

    def __init__(self, parent: QWidget, title: str, heading: str, lines: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        label = QLabel(heading)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = QPlainTextEdit("\n".join(lines))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setFont(QFont("monospace"))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


class CfnHost(Protocol):
    doc: Document

    def set_document(self, doc: Document, path: str | None, dirty: bool = False) -> None: ...

    def tell(self, text: str) -> None: ...


class CfnActions(QObject):
    def __init__(self, window: QWidget, files) -> None:
        super().__init__(window)
        self.w, self.files = window, files
        self.folder = str(Path.home())
        self.import_action = QAction("Import &CloudFormation…", self)
        self.import_action.setToolTip("Open a CloudFormation template (YAML or JSON) as a new topology")
        self.import_action.triggered.connect(self.import_dialog)
        self.export_action = QAction("E&xport CloudFormation…", self)
        self.export_action.setToolTip("Write a CloudFormation template (JSON) for this topology")
        self.export_action.triggered.connect(self.export_dialog)

    def add_to(self, menu: QMenu, before: QAction) -> None:
        menu.insertAction(before, self.import_action)
        menu.insertAction(before, self.export_action)
        menu.insertSeparator(before)

    @Slot()
    def import_dialog(self) -> None:
        if not self.files.maybe_save():
            return
        path = choose_template_path(self.w, self.folder)
        if path:
            self.import_path(path)

    def import_path(self, path: str) -> bool:
        """Open a template's topology as a new unsaved document; a refused template changes nothing."""
        try:
            doc, result = import_file(path)
        except (CfnError, fileio.LoadError) as e:
            warn(self.w, "Cannot import the template", str(e))
            return False
        self.folder = str(Path(path).parent)
        self.w.set_document(doc, None, dirty=True)
        self.w.tell(f"Imported {Path(path).name}: {len(result.mapped)} resources mapped, "
                    f"{len(result.left_out)} left out")
        show_report(self.w, "CloudFormation import",
                    f"{Path(path).name} opened as a new, unsaved topology. Clients were added in front of "
                    "internet-facing load balancers and of topics and queues nothing feeds.",
                    summary_lines(result))
        return True

    @Slot()
    def export_dialog(self) -> None:
        stem = "".join(c for c in self.w.doc.title if c.isalnum() or c in "-_ ").strip() or "topology"
        path = choose_export_path(self.w, str(Path(self.folder) / f"{stem}.template.json"))
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        template, notes = export_with_notes(self.w.doc)
        try:
            write_json(template, Path(path))
        except OSError as e:
            warn(self.w, "Cannot export", f"{path}: {e.strerror or e}")
            return False
        self.folder = str(Path(path).parent)
        self.w.tell(f"Exported {len(template['Resources'])} resources to {path}")
        show_report(self.w, "CloudFormation export",
                    f"Wrote {len(template['Resources'])} resources to {Path(path).name}. The template asks for "
                    "the VPC and subnets when deployed. What it cannot say:", notes or ["(nothing)"])
        return True
