// mako-connect: the desktop app. Picks the catalog (--catalog, MAKO_CONNECT_CATALOG, Settings, default) and
// the secret store, opens the sync engine and shows the main window. `--stall-probe` measures the GUI
// thread's longest event-loop stall for the whole session and prints it at exit.
#include "catalog.h"
#include "connectorcatalogpage.h"
#include "connectorregistry.h"
#include "mainwindow.h"
#include "rest/manifestconnectors.h"
#include "secretstore.h"
#include "settingsdialog.h"
#include "stallprobe.h"
#include "svgicon.h"
#include "syncengine.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QSettings>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Mako"));
    QApplication::setApplicationName(QStringLiteral("Mako Connect"));
    QApplication::setApplicationVersion(QStringLiteral(MC_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("mako-connect"));
    QApplication::setWindowIcon(Icons::app());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Sync data from SaaS APIs into a local catalog."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption catalogOption(QStringLiteral("catalog"), QStringLiteral("Catalog file to use."),
                                     QStringLiteral("path"));
    QCommandLineOption secretsOption(QStringLiteral("secrets"),
                                     QStringLiteral("Secret store: file or keychain."),
                                     QStringLiteral("backend"));
    QCommandLineOption probeOption(
        QStringLiteral("stall-probe"),
        QStringLiteral("Measure the GUI thread's longest stall; print it at exit."));
    parser.addOptions({catalogOption, secretsOption, probeOption});
    parser.process(app);

    registerBuiltinConnectors();

    QSettings settings;
    QString location = parser.value(catalogOption);
    if (location.isEmpty())
        location = qEnvironmentVariable("MAKO_CONNECT_CATALOG");
    if (location.isEmpty())
        location = settings.value(SettingsDialog::catalogSettingKey()).toString();
    if (location.isEmpty())
        location = Catalog::defaultLocation();

    QString backend = parser.value(secretsOption);
    if (backend.isEmpty())
        backend = settings.value(SettingsDialog::backendSettingKey(), QStringLiteral("file")).toString();
    QString error;
    std::unique_ptr<SecretStore> secrets = createSecretStore(backend, location, &error);
    if (!secrets) {
        QMessageBox::warning(
            nullptr, QStringLiteral("Mako Connect"),
            QStringLiteral("%1\nSecrets are kept in a file beside the catalog instead.").arg(error));
        secrets = createSecretStore(QStringLiteral("file"), location, &error);
    }

    SyncEngine engine(location, secrets.get());
    if (!engine.open(&error)) {
        QMessageBox::critical(
            nullptr, QStringLiteral("Mako Connect"),
            QStringLiteral("Cannot open the catalog %1:\n%2\n\nStart with --catalog PATH, or set "
                           "MAKO_CONNECT_CATALOG, to use another file.")
                .arg(location, error));
        return 1;
    }

    StallProbe probe;
    MainWindow window(&engine);
    // A manifest that did not load is shown, not fatal: the other connectors are all there.
    window.catalogPage()->setManifestProblems(manifestErrors());
    window.show();
    if (parser.isSet(probeOption))
        probe.start();
    const int status = app.exec();
    if (parser.isSet(probeOption)) {
        probe.stop();
        std::fprintf(stderr, "%s\n", qPrintable(probe.summary()));
    }
    return status;
}
