#include "catalogwriter.h"

#include <QElapsedTimer>
#include <QPromise>
#include <QSqlError>
#include <QSqlQuery>

struct CatalogWriter::Item
{
    std::function<QVariant(Catalog &)> task;
    QPromise<QVariant> promise;
    bool isChunk = false;
    ChunkWrite chunk;
};

namespace {
// Records of chunks queued back to back that share one transaction, at most.
constexpr qsizetype kMaxGroupRecords = 5000;

} // namespace

CatalogWriter::CatalogWriter(const QString &location, int maxPendingChunks)
    : m_location(location)
    , m_maxPendingChunks(qMax(1, maxPendingChunks))
{
}

CatalogWriter::~CatalogWriter()
{
    if (!m_thread)
        return;
    {
        QMutexLocker lock(&m_mutex);
        m_stopping = true;
        m_hasWork.wakeAll();
    }
    m_thread->wait();
    delete m_thread;
}

bool CatalogWriter::start(QString *error)
{
    // The thread opens its own connection; report whether that worked before returning.
    QMutex startMutex;
    QWaitCondition started;
    bool done = false;
    QString startError;
    m_thread = QThread::create([&, this] {
        Catalog catalog(m_location);
        {
            QMutexLocker lock(&startMutex);
            startError = catalog.isOpen() ? QString() : catalog.errorString();
            done = true;
            started.wakeAll();
        }
        if (catalog.isOpen())
            run(catalog);
    });
    m_thread->setObjectName(QStringLiteral("catalog-writer"));
    m_thread->start();
    {
        QMutexLocker lock(&startMutex);
        while (!done)
            started.wait(&startMutex);
    }
    if (!startError.isEmpty()) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        if (error)
            *error = startError;
        return false;
    }
    return true;
}

QFuture<QVariant> CatalogWriter::submit(std::function<QVariant(Catalog &)> task)
{
    return enqueue(std::move(task), false);
}

QFuture<QVariant> CatalogWriter::submitUrgent(std::function<QVariant(Catalog &)> task)
{
    return enqueue(std::move(task), true);
}

QFuture<QVariant> CatalogWriter::enqueue(std::function<QVariant(Catalog &)> task, bool urgent)
{
    auto *item = new Item;
    item->task = std::move(task);
    item->promise.start();
    QFuture<QVariant> future = item->promise.future();
    QMutexLocker lock(&m_mutex);
    if (urgent)
        m_queue.push_front(item);
    else
        m_queue.push_back(item);
    m_hasWork.wakeOne();
    return future;
}

void CatalogWriter::writeChunk(ChunkWrite chunk)
{
    auto *item = new Item;
    item->isChunk = true;
    item->chunk = std::move(chunk);
    item->promise.start();
    QMutexLocker lock(&m_mutex);
    // Backpressure: a fetcher faster than the disk waits here instead of growing the queue.
    while (m_pendingChunks >= m_maxPendingChunks && !m_stopping)
        m_hasRoom.wait(&m_mutex);
    ++m_pendingChunks;
    m_queue.push_back(item);
    m_hasWork.wakeOne();
}

void CatalogWriter::flush()
{
    QMutexLocker lock(&m_mutex);
    while (!m_queue.empty() || m_busy)
        m_idle.wait(&m_mutex);
}

qint64 CatalogWriter::recordsWritten() const
{
    QMutexLocker lock(&m_mutex);
    return m_recordsWritten;
}

qint64 CatalogWriter::chunksWritten() const
{
    QMutexLocker lock(&m_mutex);
    return m_chunksWritten;
}

void CatalogWriter::run(Catalog &catalog)
{
    // Writer thread.
    while (true) {
        std::vector<Item *> items;
        {
            QMutexLocker lock(&m_mutex);
            while (m_queue.empty() && !m_stopping) {
                m_busy = false;
                m_idle.wakeAll();
                m_hasWork.wait(&m_mutex);
            }
            if (m_queue.empty()) {
                m_busy = false;
                m_idle.wakeAll();
                break;
            }
            // Chunks already queued back to back share one transaction (fewer fsyncs); each was fetched
            // whole, so grouping never holds a page back waiting for another.
            qsizetype records = 0;
            do {
                items.push_back(m_queue.front());
                records += items.back()->chunk.records.size();
                m_queue.pop_front();
            } while (items.front()->isChunk && !m_queue.empty() && m_queue.front()->isChunk &&
                     records < kMaxGroupRecords);
            m_busy = true;
        }
        if (items.front()->isChunk) {
            commitChunks(catalog, items);
        } else {
            Item *item = items.front();
            try {
                item->promise.addResult(item->task(catalog));
            } catch (...) {
                item->promise.setException(std::current_exception());
            }
            item->promise.finish();
            delete item;
        }
    }
}

QString CatalogWriter::streamKey(qint64 connectionId, qint64 runId, const QString &entity)
{
    return QStringLiteral("%1/%2/%3").arg(connectionId).arg(runId).arg(entity);
}

QString CatalogWriter::streamKey(const ChunkWrite &chunk)
{
    return streamKey(chunk.connectionId, chunk.state.runId, chunk.state.entity);
}

void CatalogWriter::forgetFailure(qint64 connectionId, const QString &entity, qint64 runId)
{
    QMutexLocker lock(&m_mutex);
    m_failedStreams.remove(streamKey(connectionId, runId, entity));
}

void CatalogWriter::commitChunks(Catalog &catalog, std::vector<Item *> &items)
{
    // Writer thread. A chunk behind a failed one of the same entity is refused, never committed (I1).
    std::vector<ChunkWrite *> live;
    QHash<Item *, QString> refused;
    {
        QMutexLocker lock(&m_mutex);
        for (Item *item : items) {
            const auto failed = m_failedStreams.constFind(streamKey(item->chunk));
            if (failed != m_failedStreams.cend())
                refused.insert(item, *failed);
            else
                live.push_back(&item->chunk);
        }
    }
    QHash<ChunkWrite *, QString> errors;
    QString error;
    const Outcome outcome = live.empty() ? Outcome::Committed : commitWaitingForLock(catalog, live, &error);
    if (outcome == Outcome::Busy || (outcome == Outcome::Failed && live.size() == 1)) {
        for (ChunkWrite *chunk : live) // the lock stayed taken: nothing here can be written now
            errors.insert(chunk, error);
    } else if (outcome == Outcome::Failed) {
        // One page may be what fails (a full disk): save every page up to it, one by one, in order.
        QHash<QString, QString> stopped; // stream -> why its first page failed
        bool locked = false;
        for (ChunkWrite *chunk : live) {
            const QString key = streamKey(*chunk);
            if (locked || stopped.contains(key)) {
                errors.insert(chunk, locked ? error : stopped.value(key));
                continue;
            }
            const Outcome one = commitWaitingForLock(catalog, {chunk}, &error);
            locked = one == Outcome::Busy;
            if (one != Outcome::Committed)
                errors.insert(chunk, stopped[key] = error);
        }
    }
    for (Item *item : items) {
        ChunkWrite &chunk = item->chunk;
        const bool wasRefused = refused.contains(item);
        const bool ok = !wasRefused && !errors.contains(&chunk);
        const QString why = wasRefused ? refused.value(item) : errors.value(&chunk);
        {
            QMutexLocker lock(&m_mutex);
            --m_pendingChunks;
            if (ok) {
                m_recordsWritten += chunk.records.size();
                ++m_chunksWritten;
            } else if (!m_failedStreams.contains(streamKey(chunk))) {
                m_failedStreams.insert(streamKey(chunk), why);
            }
            m_hasRoom.wakeAll();
        }
        if (chunk.done)
            chunk.done(ok, ok ? QString::number(chunk.removed) : why);
        item->promise.addResult(QVariant(ok));
        item->promise.finish();
        delete item;
    }
}

CatalogWriter::Outcome
CatalogWriter::commitWaitingForLock(Catalog &catalog, const std::vector<ChunkWrite *> &chunks, QString *error)
{
    QElapsedTimer waited;
    int backoffMs = 200;
    bool logged = false;
    while (true) {
        const Outcome outcome = commitTransaction(catalog, chunks, error);
        if (outcome != Outcome::Busy)
            return outcome;
        if (!waited.isValid())
            waited.start();
        const bool stopping = [this] {
            QMutexLocker lock(&m_mutex);
            return m_stopping;
        }();
        if (waited.elapsed() >= m_lockWaitLimitMs || stopping) {
            *error = QStringLiteral("The catalog stayed locked by another program for %1 s, so this page "
                                    "could not be saved; close whatever holds the catalog open for writing "
                                    "and sync again to resume (everything committed so far is kept)")
                         .arg(qMax<qint64>(1, waited.elapsed() / 1000));
            return Outcome::Busy;
        }
        if (!logged) {
            logged = true;
            for (ChunkWrite *chunk : chunks) {
                if (chunk->log)
                    chunk->log(QStringLiteral("The catalog is locked by another program; waiting up to %1 s "
                                              "for it before saving the next page")
                                   .arg(m_lockWaitLimitMs / 1000));
            }
        }
        // Writer thread: nothing else can be written while the lock is held elsewhere.
        QThread::msleep(qMin<qint64>(backoffMs, qMax<qint64>(1, m_lockWaitLimitMs - waited.elapsed())));
        backoffMs = qMin(backoffMs * 2, 5000);
    }
}

CatalogWriter::Outcome
CatalogWriter::commitTransaction(Catalog &catalog, const std::vector<ChunkWrite *> &chunks, QString *error)
{
    // I1: the chunks' records and the FetchStates after them commit together, or not at all.
    // The streams' schema rows as this transaction leaves them: kept for their next commit once it commits.
    QHash<QString, EntityFieldRows> fieldRows;
    const auto failed = [&](const QString &text, bool busy) {
        *error = text;
        busy = busy || catalog.lastFailure() == CatalogDialect::Failure::Busy; // before the rollback
        catalog.rollback();
        for (auto it = fieldRows.cbegin(); it != fieldRows.cend(); ++it)
            m_fieldRows.remove(it.key()); // read again from what the catalog kept
        return busy ? Outcome::Busy : Outcome::Failed;
    };
    if (!catalog.transaction())
        return failed(QStringLiteral("Catalog write failed: %1").arg(catalog.errorString()), false);
    // Within one transaction only each entity's last state counts: save it once, with the records it adds.
    QHash<QString, qint64> records;             // stream -> records in this transaction
    QHash<QString, ChunkWrite *> last;          // stream -> its last chunk here
    QHash<QString, QList<FieldStats>> observed; // stream -> what its records here hold
    for (ChunkWrite *chunk : chunks) {
        const QString key = streamKey(*chunk);
        records[key] += chunk->records.size();
        last.insert(key, chunk);
        QList<FieldStats> &seen = observed[key];
        if (seen.isEmpty())
            seen = chunk->observed; // the usual case: shared, not merged
        else
            mergeFieldStats(seen, chunk->observed);
    }
    for (ChunkWrite *chunk : chunks) {
        bool busy = false;
        QString text;
        if (!writeRecords(catalog, *chunk, &text, &busy))
            return failed(text, busy);
        const QString key = streamKey(*chunk);
        if (last.value(key) != chunk)
            continue;
        EntityFieldRows &rows = fieldRows[key] = m_fieldRows.value(key);
        if (!saveProgress(catalog, *chunk, records.value(key), observed.value(key), &rows))
            return failed(QStringLiteral("Catalog write failed: %1").arg(catalog.errorString()), false);
    }
    if (!catalog.commit())
        return failed(QStringLiteral("Catalog write failed: %1").arg(catalog.errorString()), false);
    if (m_fieldRows.size() > 256) // streams that stopped without finishing
        m_fieldRows.clear();
    for (auto it = fieldRows.cbegin(); it != fieldRows.cend(); ++it) {
        if (last.value(it.key())->state.status == QLatin1String("done"))
            m_fieldRows.remove(it.key());
        else
            m_fieldRows.insert(it.key(), it.value());
    }
    return Outcome::Committed;
}

bool CatalogWriter::writeRecords(Catalog &catalog, ChunkWrite &chunk, QString *error, bool *busy)
{
    auto failure = CatalogDialect::Failure::Other;
    QSqlDatabase db = catalog.database();
    if (!catalog.dialect().upsertRecords(db, chunk.connectionId, chunk.state.entity, chunk.state.generation,
                                         chunk.records, error, &failure)) {
        *busy = failure == CatalogDialect::Failure::Busy;
        return false;
    }
    if (chunk.removeOlderGenerations) {
        chunk.removed =
            catalog.removeRecordsOlderThan(chunk.connectionId, chunk.state.entity, chunk.state.generation);
        if (chunk.removed < 0 || !catalog.addRunRemoved(chunk.state.runId, chunk.removed)) {
            *error = QStringLiteral("Catalog write failed: %1").arg(catalog.errorString());
            return false;
        }
    }
    return true;
}

bool CatalogWriter::saveProgress(Catalog &catalog, const ChunkWrite &chunk, qint64 records,
                                 const QList<FieldStats> &observed, EntityFieldRows *fieldRows)
{
    QStringList typeChanges;
    if (!observed.isEmpty() &&
        !catalog.mergeEntityFields(chunk.connectionId, chunk.state.entity, chunk.state.generation,
                                   chunk.state.mode == QLatin1String("full"), observed, &typeChanges,
                                   fieldRows))
        return false;
    if (chunk.removeOlderGenerations &&
        !catalog.settleEntityFields(chunk.connectionId, chunk.state.entity, chunk.state.generation))
        return false;
    // Said, not coerced: the run log names each field whose values stopped fitting its type.
    if (chunk.log) {
        for (const QString &change : std::as_const(typeChanges))
            chunk.log(change);
    }
    return catalog.saveEntityState(chunk.connectionId, chunk.state) &&
           (chunk.state.runId <= 0 || catalog.addRunCommit(chunk.state.runId, chunk.state.entity, records));
}
