// The "Sync" tab of one connection: entity checkboxes, mode (incremental only where every chosen entity
// supports it, or "Per entity": a mode beside each entity), Sync / Cancel, one progress row per entity (bar,
// records, pages, rate, elapsed, ETA, state), a live log, and — when the catalog holds unfinished entity
// states — an "interrupted" banner with Resume. The sync runs as a SyncJob on worker threads; this panel only
// starts, cancels and listens (I5). Each connection has its own panel, so several connections can sync at
// once. GUI thread.
#pragma once

#include "catalog.h"
#include "syncengine.h"

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFrame;
class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;

class SyncPanel : public QWidget
{
    Q_OBJECT
public:
    enum Column {
        EntityColumn,
        ProgressColumn,
        RecordsColumn,
        PagesColumn,
        RateColumn,
        ElapsedColumn,
        EtaColumn,
        StateColumn,
        ColumnCount
    };

    SyncPanel(SyncEngine *engine, Catalog *catalog, const ConnectionInfo &connection,
              const ConnectorMetadata &metadata, QWidget *parent = nullptr);
    ~SyncPanel() override;

    qint64 connectionId() const { return m_connection.id; }
    // A saved edit: the entities follow the new settings (files, GraphQL) once no sync is running.
    void setConnection(const ConnectionInfo &connection);
    // Re-reads the connection's entities (a files connection's folder may have gained a file).
    void refreshEntities();
    // This connection's entities: the connector's own plus those its settings define.
    const ConnectorMetadata &metadata() const { return m_metadata; }
    // What is wrong with the entities the settings define ("" when nothing).
    QString entityError() const { return m_entityError; }
    bool isSyncing() const { return !m_job.isNull(); }
    SyncJob *job() const { return m_job; }

    QStringList selectedEntities() const;
    void setSelectedEntities(const QStringList &entities);
    SyncMode mode() const; // Full while the mode is chosen per entity
    void setMode(SyncMode mode);
    bool isModeAvailable(SyncMode mode) const;
    // "Per entity": each entity's own mode (incremental only where it can), remembered per connection.
    bool isModePerEntity() const;
    void setModePerEntity(bool perEntity);
    SyncMode entityMode(const QString &entity) const;
    void setEntityMode(const QString &entity, SyncMode mode);

    // Entities whose last sync stopped before the end (from the catalog's sync_state).
    QStringList unfinishedEntities() const { return m_unfinished; }
    bool hasInterruptedSync() const { return !m_unfinished.isEmpty() && !isSyncing(); }

    // What a progress row shows (for tests and the status bar).
    QString rowState(const QString &entity) const;
    qint64 rowProcessed(const QString &entity) const;
    qint64 rowCommitted(const QString &entity) const;
    QProgressBar *rowBar(const QString &entity) const;
    QTreeWidget *progressTree() const { return m_tree; }
    QPlainTextEdit *logView() const { return m_log; }
    QString statusText() const;
    // "customers 45%, charges 1,200" for the connection list and status bar.
    QString progressSummary() const;

public slots:
    bool startSync();
    bool resume();
    void cancelSync();
    void attach(SyncJob *job);
    void refreshInterrupted();

signals:
    void syncStarted();
    void progressChanged();
    void syncFinished(const RunSummary &summary);
    void interruptedChanged(bool interrupted);

private:
    struct Row
    {
        QTreeWidgetItem *item = nullptr;
        QProgressBar *bar = nullptr;
        EntityProgress last;
        QElapsedTimer sinceUpdate;
    };
    Row &row(const QString &entity);
    void showProgress(const EntityProgress &progress);
    void paintRow(Row &row);
    void onFinished(const RunSummary &summary);
    void updateControls();
    void updateModeAvailability();
    void flushLog();
    void setStatus(const QString &text, const QString &status);
    void showStoredStates();
    void rebuildEntityChecks();
    QComboBox *newEntityModeBox(const EntityInfo &entity, SyncMode remembered, QWidget *parent);
    void saveEntityModes();
    void showEntityModes();
    SyncOptions chosenOptions() const;
    QString entitiesSettingKey() const;

    SyncEngine *m_engine;
    Catalog *m_catalog;
    ConnectionInfo m_connection;
    ConnectorMetadata m_baseMetadata; // as registered
    QString m_entityError;            // declared before m_metadata: its initialiser fills it
    ConnectorMetadata m_metadata;     // for this connection's config
    bool m_entitiesStale = false;     // the connection changed during a sync: rebuild the checks after it
    QGridLayout *m_entityGrid;
    QLabel *m_entityNote;
    QPointer<SyncJob> m_job;
    QHash<QString, QCheckBox *> m_checks;
    QHash<QString, QComboBox *> m_entityModes; // shown when the mode is "Per entity"
    QList<QWidget *> m_entityCells;            // each holds an entity's check and mode
    QHash<QString, Row> m_rows;
    QStringList m_unfinished;
    QHash<QString, QString> m_unfinishedModes; // entity -> the mode its unfinished sync had
    bool m_resuming = false;
    QComboBox *m_mode;
    QPushButton *m_syncButton;
    QPushButton *m_cancelButton;
    QFrame *m_banner;
    QLabel *m_bannerText;
    QPushButton *m_resumeButton;
    QLabel *m_status;
    QTreeWidget *m_tree;
    QPlainTextEdit *m_log;
    QStringList m_pendingLog;
    QTimer *m_logTimer;
    QTimer *m_tickTimer;
};
