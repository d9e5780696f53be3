#include "catalogwriter.h"

#include <QPromise>
#include <QRegularExpression>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

struct CatalogWriter::Item
{
    std::function<QVariant(Catalog &)> task;
    QPromise<QVariant> promise;
    bool isChunk = false;
    ChunkWrite chunk;
};

namespace {
const char kUpsert[] =
    "INSERT INTO records (connection_id, entity, record_key, data, synced_at, generation) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (connection_id, entity, record_key) DO UPDATE "
    "SET data = excluded.data, synced_at = excluded.synced_at, generation = excluded.generation";

QString sqliteMessage(sqlite3 *db, int rc)
{
    if (rc == SQLITE_FULL)
        return QStringLiteral("The disk holding the catalog is full; free some space and sync again "
                              "(everything committed so far is kept)");
    if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN || rc == SQLITE_PERM)
        return QStringLiteral("The catalog cannot be written (%1); check the file's permissions")
            .arg(QString::fromUtf8(sqlite3_errmsg(db)));
    return QStringLiteral("Catalog write failed: %1").arg(QString::fromUtf8(sqlite3_errmsg(db)));
}
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
    // Writer thread. The hot path binds straight into SQLite through the driver's handle: valid only when
    // Qt's driver uses the same SQLite library this binary links, which the version check confirms.
    sqlite3 *sqlite = nullptr;
    sqlite3_stmt *upsert = nullptr;
    {
        QSqlDatabase db = catalog.database();
        const QVariant handle = db.driver()->handle();
        QSqlQuery version(db);
        version.exec(QStringLiteral("SELECT sqlite_version()"));
        const bool sameLibrary =
            version.next() && version.value(0).toString() == QLatin1String(sqlite3_libversion());
        if (sameLibrary && handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
            sqlite = *static_cast<sqlite3 *const *>(handle.data());
        if (sqlite &&
            sqlite3_prepare_v3(sqlite, kUpsert, -1, SQLITE_PREPARE_PERSISTENT, &upsert, nullptr) != SQLITE_OK)
            upsert = nullptr;
    }
    m_sqlite = sqlite;
    m_upsert = upsert;

    while (true) {
        Item *item = nullptr;
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
            item = m_queue.front();
            m_queue.pop_front();
            m_busy = true;
        }
        if (item->isChunk) {
            QString error;
            const bool ok = commitChunk(catalog, item->chunk, &error);
            {
                QMutexLocker lock(&m_mutex);
                --m_pendingChunks;
                if (ok) {
                    m_recordsWritten += item->chunk.records.size();
                    ++m_chunksWritten;
                }
                m_hasRoom.wakeAll();
            }
            if (item->chunk.done)
                item->chunk.done(ok, ok ? QString::number(item->chunk.removed) : error);
            item->promise.addResult(QVariant(ok));
        } else {
            try {
                item->promise.addResult(item->task(catalog));
            } catch (...) {
                item->promise.setException(std::current_exception());
            }
        }
        item->promise.finish();
        delete item;
    }
    if (upsert)
        sqlite3_finalize(upsert);
    m_upsert = nullptr;
    m_sqlite = nullptr;
}

bool CatalogWriter::commitChunk(Catalog &catalog, ChunkWrite &chunk, QString *error)
{
    // I1: the chunk's records and the FetchState after them commit together, or not at all.
    if (!catalog.transaction()) {
        *error = QStringLiteral("Catalog write failed: %1").arg(catalog.errorString());
        return false;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QByteArray entity = chunk.state.entity.toUtf8();
    auto *sqlite = static_cast<sqlite3 *>(m_sqlite);
    auto *upsert = static_cast<sqlite3_stmt *>(m_upsert);
    if (upsert) {
        sqlite3_bind_int64(upsert, 1, chunk.connectionId);
        sqlite3_bind_text(upsert, 2, entity.constData(), int(entity.size()), SQLITE_STATIC);
        sqlite3_bind_int64(upsert, 5, now);
        sqlite3_bind_int64(upsert, 6, chunk.state.generation);
        for (const Record &record : std::as_const(chunk.records)) {
            sqlite3_bind_text(upsert, 3, record.key.constData(), int(record.key.size()), SQLITE_STATIC);
            sqlite3_bind_text(upsert, 4, record.json.constData(), int(record.json.size()), SQLITE_STATIC);
            const int rc = sqlite3_step(upsert);
            sqlite3_reset(upsert);
            if (rc != SQLITE_DONE) {
                *error = sqliteMessage(sqlite, rc);
                sqlite3_clear_bindings(upsert);
                catalog.rollback();
                return false;
            }
        }
        sqlite3_clear_bindings(upsert);
    } else {
        QSqlQuery query(catalog.database());
        query.prepare(QString::fromLatin1(kUpsert).replace(QRegularExpression(QStringLiteral("\\?\\d")),
                                                           QStringLiteral("?")));
        for (const Record &record : std::as_const(chunk.records)) {
            query.addBindValue(chunk.connectionId);
            query.addBindValue(chunk.state.entity);
            query.addBindValue(QString::fromUtf8(record.key));
            query.addBindValue(QString::fromUtf8(record.json));
            query.addBindValue(now);
            query.addBindValue(chunk.state.generation);
            if (!query.exec()) {
                *error = QStringLiteral("Catalog write failed: %1").arg(query.lastError().text());
                catalog.rollback();
                return false;
            }
        }
    }
    if (chunk.removeOlderGenerations) {
        chunk.removed =
            catalog.removeRecordsOlderThan(chunk.connectionId, chunk.state.entity, chunk.state.generation);
        if (chunk.removed < 0) {
            *error = QStringLiteral("Catalog write failed: %1").arg(catalog.errorString());
            catalog.rollback();
            return false;
        }
    }
    if (!catalog.saveEntityState(chunk.connectionId, chunk.state) || !catalog.commit()) {
        *error = QStringLiteral("Catalog write failed: %1").arg(catalog.errorString());
        catalog.rollback();
        return false;
    }
    return true;
}
