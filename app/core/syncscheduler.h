// Starts the syncs whose schedule is due while a program stays up (the desktop app; GUI thread): once at
// start, which catches up a run missed while it was closed, then every half minute. A connection syncing
// already, here or in another process, is left alone (the engine's lock refuses it) and stays due.
#pragma once

#include "schedule.h"
#include "syncengine.h"

#include <QFuture>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

class Catalog;

class SyncScheduler : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<QDateTime()>;
    // `catalog`: this thread's read connection; writes go through the engine's writer.
    SyncScheduler(SyncEngine *engine, Catalog *catalog, QObject *parent = nullptr);
    void setClock(Clock clock) { m_clock = std::move(clock); } // tests
    // At most this many scheduled runs at once (the worker's --concurrency); the rest wait their turn.
    void setMaxRunning(int runs) { m_maxRunning = qMax(1, runs); }
    int runningCount() const { return int(m_running.size()); }
    // Options of every scheduled run (the entities are always all of them).
    void setOptions(const SyncOptions &options) { m_options = options; }
    void start(int intervalMs = 30000);
    // Starts nothing more (a worker stopping); runs already started go on until they end or are cancelled.
    void stop();
    QDateTime now() const { return m_clock(); }

public slots:
    void check(); // starts whatever is due now

signals:
    void started(qint64 connectionId, const QString &connection, const QDateTime &due);
    // Every scheduled run's end, including one that could not start (status "failed", nothing saved).
    void finished(const QString &connection, const RunSummary &summary);
    // A scheduled run that ended other than done, or could not start: for a notification.
    void failed(const QString &connection, const QString &error);

private:
    // Claims the due firing on the writer thread, then starts its run here (startClaimed).
    void claimAndStart(const ScheduledSync &scheduled, const QDateTime &now);
    void startClaimed(const ScheduledSync &scheduled, const QDateTime &now);
    // Moves the schedule's last firing from `from` to `to` unless another process did first.
    QFuture<QVariant> claimFiring(qint64 connectionId, const QDateTime &from, const QDateTime &to);
    SyncEngine *m_engine;
    Catalog *m_catalog;
    Clock m_clock;
    QTimer m_timer;
    QSet<qint64> m_running; // connections this scheduler is claiming or started and that have not finished
    bool m_stopped = false;
    int m_maxRunning = 1 << 30;
    SyncOptions m_options;
};
