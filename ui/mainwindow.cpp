#include "mainwindow.h"

#include "catalogdialect.h"
#include "connectionfile.h"
#include "connectionspage.h"
#include "connectorcatalogpage.h"
#include "connectorpicker.h"
#include "connectorregistry.h"
#include "format.h"
#include "runsoverview.h"
#include "secretstore.h"
#include "settingsdialog.h"
#include "sqlconsole.h"
#include "svgicon.h"
#include "syncengine.h"
#include "syncpanel.h"
#include "syncscheduler.h"
#include "welcomepage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QToolBar>

namespace {
// A catalog as people see it: a file's native path, a URL without its password.
QString shownCatalog(const QString &location)
{
    return CatalogLocation::backendOf(location) == CatalogBackend::Sqlite
               ? QDir::toNativeSeparators(location)
               : CatalogLocation::display(location);
}
} // namespace

MainWindow::MainWindow(SyncEngine *engine, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_catalog(std::make_unique<Catalog>(engine->catalogLocation()))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Mako Connect — %1").arg(QFileInfo(engine->catalogLocation()).fileName()));
    setWindowIcon(Icons::app());
    setUnifiedTitleAndToolBarOnMac(true);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_sidebar = new QListWidget(central);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setIconSize(QSize(20, 20));
    m_sidebar->setFixedWidth(168);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setSpacing(2);
    m_sidebar->setStyleSheet(
        QStringLiteral("#sidebar { background: palette(window); padding-top: 8px; outline: 0; "
                       "border-right: 1px solid palette(mid); }"
                       "#sidebar::item { padding: 8px 10px; border-radius: 4px; margin: 0 6px; }"
                       "#sidebar::item:selected { background: palette(highlight); "
                       "color: palette(highlighted-text); }"));
    const struct
    {
        const char *icon;
        QString label;
        QString tip;
    } items[] = {
        {"connectors", tr("Connectors"), tr("Sources you can connect (Ctrl+1)")},
        {"connections", tr("Connections"), tr("Your connections: sync, runs, records (Ctrl+2)")},
        {"sql", tr("SQL"), tr("Read-only SQL over the catalog (Ctrl+3)")},
        {"runs", tr("Runs"), tr("The runs of every connection, with a chart (Ctrl+4)")},
    };
    for (const auto &item : items) {
        auto *entry = new QListWidgetItem(Icons::ui(QString::fromLatin1(item.icon)), item.label, m_sidebar);
        entry->setToolTip(item.tip);
        entry->setSizeHint(QSize(150, 38));
    }
    layout->addWidget(m_sidebar);

    m_pages = new QStackedWidget(central);
    m_pages->setObjectName(QStringLiteral("pages"));
    m_catalogPage = new ConnectorCatalogPage(m_pages);
    m_connectionsPage = new ConnectionsPage(engine, m_catalog.get(), m_pages);
    m_sqlPage = new SqlConsolePage(engine->catalogLocation(), m_pages);
    m_pages->addWidget(m_catalogPage);
    m_pages->addWidget(m_connectionsPage);
    m_runsPage = new RunsOverviewPage(m_catalog.get(), m_pages);
    m_pages->addWidget(m_sqlPage);
    m_pages->addWidget(m_runsPage);
    m_welcomePage = new WelcomePage(m_pages);
    m_pages->addWidget(m_welcomePage);
    connect(m_welcomePage, &WelcomePage::addConnectionRequested, this, &MainWindow::newConnection);
    connect(m_welcomePage, &WelcomePage::sampleRequested, this, &MainWindow::trySample);
    // A run that ends changes the history the Runs page shows.
    connect(engine, &SyncEngine::jobFinished, this, [this] {
        if (m_pages->currentWidget() == m_runsPage)
            m_runsPage->refresh();
    });
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0)
            return;
        m_pages->setCurrentIndex(row);
        if (row == SqlPage)
            m_sqlPage->refreshObjects();
        if (row == RunsPage)
            m_runsPage->refresh();
        QSettings().setValue(QStringLiteral("window/page"), row);
    });
    connect(m_catalogPage, &ConnectorCatalogPage::addConnectionRequested, this, [this](const QString &id) {
        showPage(ConnectionsPageIndex);
        m_connectionsPage->addConnection(id);
    });
    connect(m_connectionsPage, &ConnectionsPage::statusMessage, this,
            [this](const QString &message) { statusBar()->showMessage(message, 6000); });
    connect(m_connectionsPage, &ConnectionsPage::syncStatusChanged, this, &MainWindow::updateStatus);
    connect(m_connectionsPage, &ConnectionsPage::currentConnectionChanged, this, &MainWindow::updateStatus);

    // Status bar: running syncs, then the catalog in use.
    m_jobsLabel = new QLabel(this);
    m_jobsLabel->setObjectName(QStringLiteral("jobsLabel"));
    m_catalogLabel = new QLabel(this);
    m_catalogLabel->setObjectName(QStringLiteral("catalogLabel"));
    updateCatalogLabel();
    m_catalogLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addPermanentWidget(m_jobsLabel);
    statusBar()->addPermanentWidget(m_catalogLabel);
    if (!m_catalog->isOpen())
        statusBar()->showMessage(tr("Cannot read the catalog: %1").arg(m_catalog->errorString()));

    createActions();
    m_dataVersion = m_catalog->dataVersion();
    m_connectionsStamp = m_catalog->connectionsStamp();
    auto *outside = new QTimer(this);
    outside->setInterval(1000);
    connect(outside, &QTimer::timeout, this, &MainWindow::showOutsideChanges);
    outside->start();
    // Scheduled syncs run while the app is open; a run missed while it was closed runs once now.
    m_scheduler = new SyncScheduler(m_engine, m_catalog.get(), this);
    connect(m_scheduler, &SyncScheduler::failed, this, &MainWindow::notifyScheduledFailure);
    m_scheduler->start();

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1280, 820);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    // With no connection yet (a first start, or a new catalog) there is nothing to see elsewhere: start where
    // one is added, whatever page an earlier catalog left remembered.
    if (m_connectionsPage->connectionNames().isEmpty())
        showPage(WelcomePageIndex);
    else
        showPage(settings.value(QStringLiteral("window/page"), ConnectionsPageIndex).toInt());
    m_catalogPage->selectConnector(settings.value(QStringLiteral("catalog/lastConnector")).toString());
    connect(m_catalogPage, &ConnectorCatalogPage::currentConnectorChanged, this,
            [](const QString &id) { QSettings().setValue(QStringLiteral("catalog/lastConnector"), id); });
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    auto *newAction = new QAction(Icons::ui(QStringLiteral("add")), tr("&New connection…"), this);
    newAction->setObjectName(QStringLiteral("newConnectionAction"));
    newAction->setShortcut(QKeySequence::New);
    newAction->setToolTip(tr("Add a connection: pick its connector (Ctrl+N)"));
    connect(newAction, &QAction::triggered, this, &MainWindow::newConnection);
    auto *settingsAction = new QAction(Icons::ui(QStringLiteral("settings")), tr("&Settings…"), this);
    settingsAction->setObjectName(QStringLiteral("settingsAction"));
    settingsAction->setShortcuts({QKeySequence::Preferences, QKeySequence(QStringLiteral("Ctrl+,"))});
    settingsAction->setToolTip(tr("Catalog location and secret store"));
    connect(settingsAction, &QAction::triggered, this, &MainWindow::showSettings);
    auto *quitAction = new QAction(tr("&Quit"), this);
    quitAction->setShortcut(QKeySequence::Quit);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);
    auto *aboutAction = new QAction(Icons::ui(QStringLiteral("about")), tr("&About Mako Connect"), this);
    connect(aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
    auto *aboutQtAction = new QAction(tr("About &Qt"), this);
    connect(aboutQtAction, &QAction::triggered, qApp, &QApplication::aboutQt);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(newAction);
    file->addSeparator();
    QAction *importAction = file->addAction(tr("&Import connections…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import connections"), QString(),
                                                          tr("Connections (*.json);;All files (*)"));
        int imported = 0;
        const QString problem = path.isEmpty() ? QString() : importConnections(path, &imported);
        if (!problem.isEmpty())
            QMessageBox::warning(this, tr("Import connections"), problem);
        else if (!path.isEmpty())
            statusBar()->showMessage(tr("Imported %n connection(s) from %1", nullptr, imported)
                                         .arg(QDir::toNativeSeparators(path)),
                                     8000);
    });
    importAction->setObjectName(QStringLiteral("importConnectionsAction"));
    importAction->setToolTip(tr("Add or update connections from a file; secrets come from the environment "
                                "or are asked for"));
    QAction *exportAction = file->addAction(tr("E&xport connections…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export connections"), QStringLiteral("connections.json"), tr("Connections (*.json)"));
        const QString problem = path.isEmpty() ? QString() : exportConnections(path);
        if (!problem.isEmpty())
            QMessageBox::warning(this, tr("Export connections"), problem);
        else if (!path.isEmpty())
            statusBar()->showMessage(tr("Exported the connections without their secrets to %1")
                                         .arg(QDir::toNativeSeparators(path)),
                                     8000);
    });
    exportAction->setObjectName(QStringLiteral("exportConnectionsAction"));
    exportAction->setToolTip(tr("Write the connections to a file for version control, each secret as a "
                                "reference to an environment variable"));
    file->addSeparator();
    file->addAction(settingsAction);
    file->addSeparator();
    file->addAction(quitAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    const QStringList names{tr("&Connectors"), tr("Co&nnections"), tr("&SQL console"),
                            tr("Runs of &all connections")};
    for (int page = 0; page < names.size(); ++page) {
        QAction *action = view->addAction(names.at(page), this, [this, page] { showPage(page); });
        action->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(page + 1)));
    }
    view->addSeparator();
    QAction *runs = view->addAction(tr("&Runs of the connection"), this, [this] {
        showPage(ConnectionsPageIndex);
        m_connectionsPage->showTab(ConnectionsPage::RunsTab);
    });
    runs->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+H")));
    QAction *records = view->addAction(tr("R&ecords of the connection"), this, [this] {
        showPage(ConnectionsPageIndex);
        m_connectionsPage->showTab(ConnectionsPage::RecordsTab);
    });
    records->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+R")));
    QAction *list = view->addAction(tr("Connection &list"), this, [this](bool shown) {
        showPage(ConnectionsPageIndex);
        m_connectionsPage->setListShown(shown);
    });
    list->setObjectName(QStringLiteral("toggleConnectionList"));
    list->setCheckable(true);
    list->setChecked(m_connectionsPage->isListShown());
    list->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+L")));

    QMenu *connection = menuBar()->addMenu(tr("&Connection"));
    connection->addAction(m_connectionsPage->syncAction());
    connection->addAction(m_connectionsPage->cancelAction());
    connection->addAction(m_connectionsPage->testAction());
    connection->addSeparator();
    connection->addAction(m_connectionsPage->editAction());
    connection->addAction(m_connectionsPage->duplicateAction());
    connection->addAction(m_connectionsPage->removeAction());
    connection->addSeparator();
    connection->addAction(m_connectionsPage->findAction());
    connection->addAction(m_connectionsPage->exportAction());
    // Page actions act on the selected connection: bring its page forward first.
    for (QAction *action : {m_connectionsPage->syncAction(), m_connectionsPage->testAction(),
                            m_connectionsPage->editAction(), m_connectionsPage->duplicateAction(),
                            m_connectionsPage->findAction(), m_connectionsPage->exportAction()})
        connect(action, &QAction::triggered, this, [this] { showPage(ConnectionsPageIndex); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(aboutAction);
    help->addAction(aboutQtAction);

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setIconSize(QSize(18, 18));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(newAction);
    toolbar->addSeparator();
    toolbar->addAction(m_connectionsPage->syncAction());
    toolbar->addAction(m_connectionsPage->cancelAction());
    toolbar->addAction(m_connectionsPage->testAction());
    toolbar->addSeparator();
    toolbar->addAction(m_connectionsPage->exportAction());
    auto *spacer = new QWidget(toolbar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer);
    toolbar->addAction(settingsAction);
}

int MainWindow::currentPage() const
{
    return m_pages->currentIndex();
}

void MainWindow::showPage(int page)
{
    page = qBound(0, page, int(WelcomePageIndex));
    m_sidebar->setCurrentRow(page == WelcomePageIndex ? -1 : page);
    m_pages->setCurrentIndex(page);
}

void MainWindow::trySample()
{
    QString error;
    const QString path = WelcomePage::samplePath(&error);
    const QString name = tr("Sample orders");
    if (path.isEmpty()) {
        statusBar()->showMessage(error);
        return;
    }
    qint64 id = 0;
    if (const std::optional<ConnectionInfo> existing = m_catalog->connection(name))
        id = existing->id; // tried before: sync it again
    else
        id = m_engine->saveConnection(
            0, name, QStringLiteral("files"),
            {{QStringLiteral("path"), path}, {QStringLiteral("key_column"), QStringLiteral("order_id")}},
            &error);
    if (id <= 0) {
        statusBar()->showMessage(tr("Could not add the sample connection: %1").arg(error));
        return;
    }
    m_connectionsPage->reload();
    showPage(ConnectionsPageIndex);
    m_connectionsPage->selectConnection(id);
    if (SyncPanel *panel = m_connectionsPage->syncPanel(id))
        panel->startSync();
}

void MainWindow::newConnection()
{
    // From any page: a searchable list of the connectors, the one selected in the catalog first.
    auto *picker = new ConnectorPicker(m_catalogPage->currentConnectorId(), this);
    picker->setAttribute(Qt::WA_DeleteOnClose);
    connect(picker, &QDialog::accepted, this, [this, picker] {
        const QString id = picker->connectorId();
        if (id.isEmpty())
            return;
        showPage(ConnectionsPageIndex);
        m_connectionsPage->addConnection(id);
    });
    picker->open();
}

void MainWindow::updateStatus()
{
    const QList<SyncJob *> jobs = m_engine->runningJobs();
    if (jobs.isEmpty()) {
        m_jobsLabel->setText(tr("No sync running"));
        m_jobsLabel->setStyleSheet(QString());
        return;
    }
    QStringList names;
    for (SyncJob *job : jobs) {
        const SyncPanel *panel = m_connectionsPage->syncPanel(job->connection().id);
        const QString summary = panel ? panel->progressSummary() : QString();
        names << (summary.isEmpty() ? job->connection().name
                                    : QStringLiteral("%1 (%2)").arg(job->connection().name, summary));
    }
    m_jobsLabel->setText(
        tr("Syncing %1: ").arg(Format::plural(jobs.size(), tr("connection"), tr("connections"))) +
        names.join(QStringLiteral("; ")));
    m_jobsLabel->setStyleSheet(
        QStringLiteral("color: %1;").arg(Format::statusColor(QStringLiteral("running")).name()));
}

void MainWindow::showSettings()
{
    auto *dialog = new SettingsDialog(m_engine->catalogLocation(), currentSecretBackend(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SettingsDialog::moveSecretsRequested, this, [this, dialog](SecretBackend target) {
        const QString problem = moveSecrets(target);
        dialog->showSecretStore(currentSecretBackend(), problem.isEmpty() ? m_lastSecretMove : problem,
                                !problem.isEmpty());
    });
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (!dialog->restartRequested()) {
            statusBar()->showMessage(tr("Settings saved; they apply at the next start."), 6000);
            return;
        }
        // Relaunch without --catalog so the new setting is used, once this instance has closed cleanly.
        QStringList args = QApplication::arguments().mid(1);
        for (int i = 0; i < args.size(); ++i) {
            if (args.at(i) == QLatin1String("--catalog") && i + 1 < args.size()) {
                args.remove(i, 2);
                --i;
            } else if (args.at(i).startsWith(QLatin1String("--catalog="))) {
                args.remove(i);
                --i;
            }
        }
        connect(qApp, &QCoreApplication::aboutToQuit,
                [args] { QProcess::startDetached(QApplication::applicationFilePath(), args); });
        close();
    });
    dialog->open();
}

void MainWindow::updateCatalogLabel()
{
    m_catalogLabel->setText(tr("Catalog: %1").arg(shownCatalog(m_engine->catalogLocation())));
    m_catalogLabel->setToolTip(
        tr("Catalog: %1\nSecrets: %2")
            .arg(QDir::toNativeSeparators(CatalogLocation::display(m_engine->catalogLocation())),
                 secretsWhere()));
}

QString MainWindow::secretsWhere() const
{
    if (currentSecretBackend() == SecretBackend::Keychain)
        return tr("the system keychain");
    if (CatalogLocation::backendOf(m_engine->catalogLocation()) == CatalogBackend::Sqlite)
        return tr("a file beside the catalog");
    return QDir::toNativeSeparators(FileSecretStore::defaultPathFor(m_engine->catalogLocation()));
}

SecretBackend MainWindow::currentSecretBackend() const
{
    const SecretStore *store = m_engine->secrets();
    return store && store->backendName() == QLatin1String("keychain") ? SecretBackend::Keychain
                                                                      : SecretBackend::File;
}

QString MainWindow::moveSecrets(SecretBackend target)
{
    // A running sync read its secrets when it started, but one starting mid-move could read a half-moved
    // store.
    if (!m_engine->runningJobs().isEmpty())
        return tr("Wait for the running syncs to finish, then move the secrets.");
    const SecretMove move = ::moveSecrets(*m_catalog, target);
    if (!move.error.isEmpty())
        return move.error;
    QString error;
    std::unique_ptr<SecretStore> store = createSecretStore(target, m_engine->catalogLocation(), &error);
    if (!store)
        return error;
    m_engine->replaceSecretStore(std::move(store));
    m_lastSecretMove = move.summary + QLatin1Char('.');
    statusBar()->showMessage(m_lastSecretMove, 6000);
    updateCatalogLabel();
    return {};
}

QString MainWindow::exportConnections(const QString &path)
{
    const QByteArray json =
        QJsonDocument(ConnectionFile::write(m_catalog->connections(),
                                            ConnectionFile::SecretReference::Environment, *m_engine))
            .toJson(QJsonDocument::Indented);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.commit())
        return tr("Could not write %1: %2. Choose another place.")
            .arg(QDir::toNativeSeparators(path), file.errorString());
    return {};
}

QString MainWindow::importConnections(const QString &path, int *imported)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tr("Could not read %1: %2.").arg(QDir::toNativeSeparators(path), file.errorString());
    QString error;
    const QList<ConnectionFile::Entry> entries =
        ConnectionFile::read(file.readAll(), QProcessEnvironment::systemEnvironment(), &error);
    if (!error.isEmpty())
        return tr("%1: %2; nothing was imported.").arg(QDir::toNativeSeparators(path), error);
    // The core's sentences start lower case, to follow a file name in the CLI; here they stand alone.
    const auto sentence = [](QString text) {
        if (!text.isEmpty())
            text[0] = text[0].toUpper();
        return text;
    };
    const auto ask = [this, sentence](const QString &connection, const QString &field, const QString &why) {
        return QInputDialog::getText(this, tr("Secret for “%1”").arg(connection),
                                     tr("%1.\n\nType the %2 of “%3”:").arg(sentence(why), field, connection),
                                     QLineEdit::Password);
    };
    const ConnectionFile::ImportResult result =
        ConnectionFile::importEntries(*m_engine, *m_catalog, entries, ask);
    m_connectionsPage->reload();
    if (imported)
        *imported = result.added + result.updated;
    return result.ok ? QString() : sentence(result.error) + QLatin1Char('.');
}

void MainWindow::showOutsideChanges()
{
    // data_version is one PRAGMA; the stamp is read only when something was committed.
    const qint64 version = m_catalog->dataVersion();
    if (version == m_dataVersion)
        return;
    m_dataVersion = version;
    const QString stamp = m_catalog->connectionsStamp();
    if (stamp == m_connectionsStamp)
        return;
    m_connectionsStamp = stamp;
    m_connectionsPage->reload();
}

void MainWindow::notifyScheduledFailure(const QString &connection, const QString &error)
{
    const QString title = tr("Scheduled sync of %1 failed").arg(connection);
    const QString text = tr("%1. What was saved is kept; the Sync tab says what to do next.").arg(error);
    statusBar()->showMessage(title + QStringLiteral(": ") + error, 15000);
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->setToolTip(tr("Mako Connect"));
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this, connection] {
            showNormal();
            activateWindow();
            showPage(ConnectionsPageIndex);
            m_connectionsPage->selectConnection(connection);
        });
    }
    m_tray->show();
    m_tray->showMessage(title, text, QSystemTrayIcon::Warning);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Mako Connect"),
        tr("<h3>Mako Connect %1</h3>"
           "<p>Sync data from SaaS APIs into a local catalog you can browse, query and export.</p>"
           "<p>Catalog: %2<br>Secrets: %3<br>Connectors: %4<br>Qt %5</p>")
            .arg(QStringLiteral(MC_VERSION), shownCatalog(m_engine->catalogLocation()).toHtmlEscaped(),
                 secretsWhere().toHtmlEscaped())
            .arg(ConnectorRegistry::instance().all().size())
            .arg(QString::fromLatin1(qVersion())));
}

void MainWindow::saveState()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), QMainWindow::saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    const QList<SyncJob *> jobs = m_engine->runningJobs();
    if (jobs.isEmpty()) {
        saveState();
        event->accept();
        return;
    }
    event->ignore();
    if (m_closing)
        return; // already stopping; we close when the last job reports
    auto *box = new QMessageBox(QMessageBox::Question, tr("Syncs are running"),
                                jobs.size() == 1
                                    ? tr("A sync is still running. Stop it and quit?")
                                    : tr("%1 syncs are still running. Stop them and quit?").arg(jobs.size()),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("closeConfirm"));
    box->setInformativeText(
        tr("Everything saved so far is kept; the next sync resumes where this one stopped."));
    QPushButton *stop = box->addButton(tr("Stop syncs and quit"), QMessageBox::AcceptRole);
    stop->setObjectName(QStringLiteral("stopAndQuitButton"));
    box->addButton(tr("Keep syncing"), QMessageBox::RejectRole);
    box->setDefaultButton(stop);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, stop](QAbstractButton *button) {
        if (button != stop)
            return;
        m_closing = true;
        statusBar()->showMessage(tr("Stopping syncs… (saving what was fetched)"));
        // Workers stop after aborting their request in flight; jobFinished arrives for each, then we close.
        connect(m_engine, &SyncEngine::jobFinished, this, [this] {
            if (m_engine->runningJobs().isEmpty())
                QTimer::singleShot(0, this, &QWidget::close);
        });
        m_engine->cancelAll();
        if (m_engine->runningJobs().isEmpty())
            QTimer::singleShot(0, this, &QWidget::close);
    });
    box->open();
}
