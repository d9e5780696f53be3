// mako-connect: the desktop app. Picks the catalog (--catalog, MAKO_CONNECT_CATALOG, Settings, default) and
// the secret store, opens the sync engine and shows the main window. `--stall-probe` measures the GUI
// thread's longest event-loop stall for the whole session and prints it at exit.
#include "catalog.h"
#include "connectorcatalogpage.h"
#include "connectorregistry.h"
#include "mainwindow.h"
#include "rest/manifestconnectors.h"
#include "secretlocation.h"
#include "settingsdialog.h"
#include "stallprobe.h"
#include "svgicon.h"
#include "syncengine.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>

#include <cstdio>

namespace {
int cannotOpen(const QString &location, const QString &error)
{
    QMessageBox::critical(
        nullptr, QStringLiteral("Mako Connect"),
        QStringLiteral("Cannot open the catalog %1:\n%2\n\nStart with --catalog PATH, or set "
                       "MAKO_CONNECT_CATALOG, to use another catalog.")
            .arg(CatalogLocation::display(location), error));
    return 1;
}

// The store that holds the catalog's secrets. Where no keychain answers, asks once (the catalog records the
// answer) before keeping them in a file; nullptr when the user would rather quit, or no store can be used.
std::unique_ptr<SecretStore> openSecrets(Catalog &catalog, SecretBackend wanted)
{
    OpenedSecretStore secrets = openSecretStore(catalog, wanted, FileFallback::AskFirst);
    if (secrets.needsFileConsent) {
        QMessageBox ask(QMessageBox::Information, QStringLiteral("Mako Connect"),
                        QStringLiteral("No system keychain answers on this computer"));
        ask.setInformativeText(
            QStringLiteral(
                "%1\n\nMako Connect can keep this catalog's passwords and API keys in a file beside "
                "it instead, readable only by you:\n%2\n\nYou are asked only this once; Settings can "
                "move them to a keychain later.")
                .arg(secrets.error,
                     QDir::toNativeSeparators(FileSecretStore::defaultPathFor(catalog.location()))));
        QPushButton *useFile = ask.addButton(QStringLiteral("Use the file store"), QMessageBox::AcceptRole);
        ask.addButton(QStringLiteral("Quit"), QMessageBox::RejectRole);
        ask.setDefaultButton(useFile);
        ask.exec();
        if (ask.clickedButton() != useFile)
            return nullptr;
        secrets = openSecretStore(catalog, SecretBackend::File, FileFallback::AskFirst);
    }
    if (!secrets.store) {
        QMessageBox::critical(nullptr, QStringLiteral("Mako Connect"), secrets.error);
        return nullptr;
    }
    if (!secrets.notice.isEmpty())
        QMessageBox::warning(nullptr, QStringLiteral("Mako Connect"), secrets.notice);
    return std::move(secrets.store);
}
} // namespace

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
                                     QStringLiteral("Secret store of a new catalog: keychain or file."),
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

    const auto wanted = secretBackendFromName(
        parser.isSet(secretsOption)
            ? parser.value(secretsOption)
            : qEnvironmentVariable("MAKO_CONNECT_SECRETS", QStringLiteral("automatic")));
    if (!wanted) {
        std::fprintf(stderr, "mako-connect: --secrets takes keychain or file\n");
        return 2;
    }
    std::unique_ptr<SecretStore> secrets;
    {
        Catalog catalog(location);
        if (!catalog.isOpen())
            return cannotOpen(location, catalog.errorString());
        secrets = openSecrets(catalog, *wanted);
    }
    if (!secrets)
        return 1;

    SyncEngine engine(location, secrets.get());
    QString error;
    if (!engine.open(&error))
        return cannotOpen(location, error);

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
