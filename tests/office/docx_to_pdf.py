"""Open a DOCX in headless LibreOffice, update its indexes (the table of contents) as Word does
when a document asks for it (``w:updateFields``), and save it as PDF.

Run by the system's Python with LibreOffice's UNO bridge (Debian: ``python3-uno``, which
``libreoffice-writer`` brings along)::

    python3 docx_to_pdf.py REPORT.docx OUT.pdf

``soffice --convert-to pdf`` alone prints the contents field as the document stores it: Word
fills it on opening, LibreOffice 7.4 does not, so this script updates it first, the way an
author would with Extra > Bijwerken > Alles bijwerken.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # noqa: F401  (LibreOffice's bridge; registers com.sun.star)
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def _property(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def main(source: str, target: str) -> None:
    pipe = f"mss_eval_{id(source)}_{int(time.time() * 1000)}"
    profile = tempfile.mkdtemp(prefix="mss-lo-profile-")
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
         f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                context = resolver.resolve(
                    f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(
            Path(source).resolve().as_uri(), "_blank", 0, (_property("Hidden", True),))
        indexes = document.getDocumentIndexes()
        for i in range(indexes.getCount()):
            indexes.getByIndex(i).update()
        document.storeToURL(Path(target).resolve().as_uri(),
                            (_property("FilterName", "writer_pdf_Export"),))
        document.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge closes as the office ends
            pass
    finally:
        try:
            office.wait(timeout=60)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
