// The single writer of a catalog (SQLite has one): a thread that owns its own Catalog connection and runs
// write tasks in order. Sync jobs hand it whole chunks (records + the FetchState after them), which it
// commits in one transaction (I1). The GUI submits its few writes here too, so its thread never writes (I5).
#pragma once

#include "catalog.h"
#include "connector.h"

#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QThread>
#include <QVariant>
#include <QWaitCondition>

#include <deque>
#include <functional>
#include <vector>

// One fetched page (or a few) of one entity: its records and the FetchState after them. Chunks of one entity
// commit strictly in the order they were queued; once one fails, no later chunk of that entity and run
// commits (I1), so the catalog's state is always the last committed chunk's.
struct ChunkWrite
{
    qint64 connectionId = 0;
    EntityState state; // state.state is the FetchState after these records; state.runId the run
    RecordBatch records;
    // The last chunk of a full refresh: records of older generations (gone from the source) are removed in
    // the same transaction (I3).
    bool removeOlderGenerations = false;
    // What the records hold, per field (SchemaObserver on the fetching thread): merged into the entity's
    // schema in the same transaction.
    QList<FieldStats> observed;
    qint64 removed = 0; // set by the writer
    // Called on the writer thread after the commit (ok; `message` is the number of records removed) or the
    // rollback (`message` says why). Must be cheap and thread-safe.
    std::function<void(bool ok, const QString &message)> done;
    // Writer thread: a note for the run log (the catalog is locked by another process; waiting).
    std::function<void(const QString &message)> log;
};

class CatalogWriter
{
public:
    // maxPendingChunks bounds the pages queued (and so a sync's memory): about 80 pages, as ten-page chunks
    // did.
    explicit CatalogWriter(const QString &location, int maxPendingChunks = 80);
    // How long a commit waits out a write lock another process holds before it fails (SQLite's own busy
    // timeout comes on top of each attempt).
    void setLockWaitLimitMs(int ms) { m_lockWaitLimitMs = ms; }
    // A failed chunk stops its entity's later chunks from committing; the entity's worker clears the mark
    // once it has stopped (any thread).
    void forgetFailure(qint64 connectionId, const QString &entity, qint64 runId);
    ~CatalogWriter(); // finishes queued work, then stops
    CatalogWriter(const CatalogWriter &) = delete;
    CatalogWriter &operator=(const CatalogWriter &) = delete;

    bool start(QString *error);
    QString location() const { return m_location; }

    // Runs `task` on the writer thread; the future carries its result, or the exception it threw.
    QFuture<QVariant> submit(std::function<QVariant(Catalog &)> task);
    // The same, ahead of queued chunks: for the few writes a person waits on (saving a connection), so they
    // wait for at most the commit in progress. Unordered relative to other queued work.
    QFuture<QVariant> submitUrgent(std::function<QVariant(Catalog &)> task);
    // Queues a chunk; blocks the calling (worker) thread while maxPendingChunks are already queued, which is
    // what bounds a sync's memory. Never call from the GUI thread.
    void writeChunk(ChunkWrite chunk);
    // Blocks until everything queued so far is committed.
    void flush();

    // Statistics for the benchmark.
    qint64 recordsWritten() const;
    qint64 chunksWritten() const;

private:
    struct Item;
    QFuture<QVariant> enqueue(std::function<QVariant(Catalog &)> task, bool urgent);
    void run(Catalog &catalog);
    void commitChunks(Catalog &catalog, std::vector<Item *> &items);
    enum class Outcome { Committed, Busy, Failed }; // Busy: another process holds the write lock
    // Commits the chunks in one transaction, waiting out another process's write lock for a bounded time.
    Outcome commitWaitingForLock(Catalog &catalog, const std::vector<ChunkWrite *> &chunks, QString *error);
    Outcome commitTransaction(Catalog &catalog, const std::vector<ChunkWrite *> &chunks, QString *error);
    // The chunk's upserts (and, ending a full refresh, the removal of older generations).
    bool writeRecords(Catalog &catalog, ChunkWrite &chunk, QString *error, bool *busy);
    // The entity's FetchState after the chunk, and the run's count of `records` more committed.
    static bool saveProgress(Catalog &catalog, const ChunkWrite &chunk, qint64 records,
                             const QList<FieldStats> &observed, EntityFieldRows *fieldRows);
    // One entity of one run of one connection: the unit whose chunks commit strictly in order.
    static QString streamKey(qint64 connectionId, qint64 runId, const QString &entity);
    static QString streamKey(const ChunkWrite &chunk);

    QString m_location;
    int m_maxPendingChunks;
    QThread *m_thread = nullptr;
    mutable QMutex m_mutex;
    QWaitCondition m_hasWork;
    QWaitCondition m_hasRoom;
    QWaitCondition m_idle;
    std::deque<Item *> m_queue;
    int m_pendingChunks = 0;
    int m_lockWaitLimitMs = 120000;
    QHash<QString, QString> m_failedStreams; // "connection/run/entity" -> why its commit failed
    // Writer thread: each unfinished stream's schema rows as last committed. A run holds its connection's
    // lock, so no other process writes them meanwhile; a new run is a new stream and reads them afresh.
    QHash<QString, EntityFieldRows> m_fieldRows;
    bool m_busy = false;
    bool m_stopping = false;
    qint64 m_recordsWritten = 0;
    qint64 m_chunksWritten = 0;
};
