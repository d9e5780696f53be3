// The app shell: sidebar (Connectors, Connections, SQL), toolbar, menus with shortcuts, and a status bar
// with the catalog path and the running syncs. Remembers geometry and the last selection (QSettings).
// Closing while syncs run asks, then cancels them and closes once they have stopped (state kept, I4).
// GUI thread.
#pragma once

#include "catalog.h"
#include "secretlocation.h"

#include <QMainWindow>

#include <memory>

class ConnectionsPage;
class RunsOverviewPage;
class WelcomePage;
class ConnectorCatalogPage;
class QLabel;
class QListWidget;
class QStackedWidget;
class SqlConsolePage;
class SyncEngine;
class SyncScheduler;
class QSystemTrayIcon;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Page {
        ConnectorsPage,
        ConnectionsPageIndex,
        SqlPage,
        RunsPage,
        WelcomePageIndex
    }; // welcome: no sidebar entry

    explicit MainWindow(SyncEngine *engine, QWidget *parent = nullptr);
    ~MainWindow() override;

    ConnectorCatalogPage *catalogPage() const { return m_catalogPage; }
    ConnectionsPage *connectionsPage() const { return m_connectionsPage; }
    RunsOverviewPage *runsPage() const { return m_runsPage; }
    SqlConsolePage *sqlPage() const { return m_sqlPage; }
    QListWidget *sidebar() const { return m_sidebar; }
    Catalog *catalog() const { return m_catalog.get(); }
    SyncScheduler *scheduler() const { return m_scheduler; }
    int currentPage() const;
    bool isClosing() const { return m_closing; }
    SecretBackend currentSecretBackend() const;
    QString secretsWhere() const; // for the status bar and About: where the secrets are kept
    // "Try it with a local CSV": a connection to the sample file, selected and syncing.
    void trySample();
    // Moves the catalog's secrets to `target` and switches the engine to it; "" or why it did not happen.
    QString moveSecrets(SecretBackend target);
    // Connections as a team file (File menu): "" or why it did not happen. Importing asks for the secrets the
    // file's references do not give.
    QString exportConnections(const QString &path);
    QString importConnections(const QString &path, int *imported = nullptr);

public slots:
    void showPage(int page);
    void newConnection();
    void showSettings();
    void showAbout();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void updateStatus();
    void saveState();
    void updateCatalogLabel();
    // Timer, every second: what other processes (a CLI sync or import) changed shows without a restart.
    void showOutsideChanges();
    // A scheduled run failed: a tray message where there is a tray, else the status bar.
    void notifyScheduledFailure(const QString &connection, const QString &error);

    SyncEngine *m_engine;
    std::unique_ptr<Catalog> m_catalog; // this thread's read connection
    QListWidget *m_sidebar;
    QStackedWidget *m_pages;
    ConnectorCatalogPage *m_catalogPage;
    ConnectionsPage *m_connectionsPage;
    RunsOverviewPage *m_runsPage;
    WelcomePage *m_welcomePage;
    SqlConsolePage *m_sqlPage;
    QLabel *m_jobsLabel;
    QLabel *m_catalogLabel;
    SyncScheduler *m_scheduler = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QString m_lastSecretMove;
    qint64 m_dataVersion = -1;
    QString m_connectionsStamp;
    bool m_closing = false;
    bool m_closeConfirmed = false;
};
