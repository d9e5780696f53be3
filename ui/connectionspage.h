// The "Connections" page: the list of connections (with live sync status) and, for the selected one, its
// header (Test, Edit, Duplicate, Remove) and tabs Sync / Runs / Records. Reads go through the GUI's own
// Catalog; every write goes through SyncEngine or CatalogWriter::submit (I5). GUI thread.
#pragma once

#include "catalog.h"
#include "connectiondialog.h"
#include "syncengine.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class IconWidget;
class QAction;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class RecordsBrowser;
class RunsPanel;
class SyncPanel;
class TestConnectionWidget;

class ConnectionsPage : public QWidget
{
    Q_OBJECT
public:
    enum Tab { SyncTab, RunsTab, RecordsTab };

    ConnectionsPage(SyncEngine *engine, Catalog *catalog, QWidget *parent = nullptr);

    QList<QAction *> connectionActions() const;
    QAction *editAction() const { return m_editAction; }
    QAction *duplicateAction() const { return m_duplicateAction; }
    QAction *removeAction() const { return m_removeAction; }
    QAction *testAction() const { return m_testAction; }
    QAction *syncAction() const { return m_syncAction; }
    QAction *cancelAction() const { return m_cancelAction; }
    QAction *exportAction() const { return m_exportAction; }
    QAction *findAction() const { return m_findAction; }

    QListWidget *connectionList() const { return m_list; }
    // Folds the connection list away (or shows it again), remembered between sessions.
    void setListShown(bool shown);
    bool isListShown() const;
    QTabWidget *tabs() const { return m_tabs; }
    RecordsBrowser *recordsBrowser() const { return m_records; }
    RunsPanel *runsPanel() const { return m_runs; }
    TestConnectionWidget *tester() const { return m_tester; }
    // The sync panel of a connection (created on first use).
    SyncPanel *syncPanel(qint64 connectionId);
    SyncPanel *currentSyncPanel();

    std::optional<ConnectionInfo> currentConnection() const;
    qint64 currentConnectionId() const;
    bool selectConnection(qint64 id);
    bool selectConnection(const QString &name);
    QStringList connectionNames() const;
    // The dialog opened by the last add/edit/duplicate (for tests); null when closed.
    ConnectionDialog *openDialog() const { return m_dialog; }
    int syncingCount() const;

public slots:
    void reload();
    // Every minute: "5 min ago" and "next sync at 03:00" are said again as time passes.
    void refreshTimes();
    ConnectionDialog *addConnection(const QString &connectorId);
    ConnectionDialog *editConnection();
    ConnectionDialog *duplicateConnection();
    void removeConnection();
    void testConnection();
    void syncConnection();
    void cancelSync();
    void showTab(int tab);

signals:
    void syncStatusChanged(); // a sync started, progressed or finished (status bar)
    void statusMessage(const QString &message);
    void currentConnectionChanged(qint64 connectionId);
    void connectionRemoved(qint64 connectionId);

private:
    ConnectionDialog *openDialog(ConnectionDialog::Mode mode);
    void showCurrent();
    void updateItem(QListWidgetItem *item);
    void updateActions();
    QListWidgetItem *itemFor(qint64 id) const;

    SyncEngine *m_engine;
    Catalog *m_catalog;
    QList<ConnectionInfo> m_connections;
    QHash<qint64, SyncPanel *> m_panels;
    QPointer<ConnectionDialog> m_dialog;

    QListWidget *m_list;
    QStackedWidget *m_right;
    QWidget *m_empty;
    QWidget *m_details;
    IconWidget *m_icon;
    QLabel *m_title;
    QLabel *m_subtitle;
    TestConnectionWidget *m_tester;
    QTabWidget *m_tabs;
    QStackedWidget *m_syncStack;
    RunsPanel *m_runs;
    RecordsBrowser *m_records;
    qint64 m_shownId = -1;

    QAction *m_editAction;
    QAction *m_duplicateAction;
    QAction *m_removeAction;
    QAction *m_testAction;
    QAction *m_syncAction;
    QAction *m_cancelAction;
    QAction *m_exportAction;
    QAction *m_findAction;
};
