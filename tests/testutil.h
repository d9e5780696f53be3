// Shared helpers for tests that sync through the real engine into a real catalog (testcatalog.h).
#pragma once

#include "catalog.h"
#include "connectorregistry.h"
#include "secretstore.h"
#include "syncengine.h"
#include "testcatalog.h"

#include <QJsonDocument>
#include <QSet>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

struct EngineFixture
{
    QTemporaryDir dir;
    QString catalogPath;
    std::unique_ptr<FileSecretStore> secrets;
    std::unique_ptr<SyncEngine> engine;
    std::unique_ptr<Catalog> catalog; // the test thread's reader

    bool open()
    {
        registerBuiltinConnectors();
        if (catalogPath.isEmpty()) // opened again: the same catalog
            catalogPath = TestCatalogs::fresh(dir.filePath(QStringLiteral("catalog.sqlite")));
        secrets = std::make_unique<FileSecretStore>(FileSecretStore::defaultPathFor(catalogPath));
        engine = std::make_unique<SyncEngine>(catalogPath, secrets.get());
        QString error;
        if (!engine->open(&error)) {
            qWarning() << error;
            return false;
        }
        catalog = std::make_unique<Catalog>(catalogPath);
        return catalog->isOpen();
    }

    void close()
    {
        catalog.reset();
        engine.reset();
    }

    ConnectionInfo addConnection(const QString &name, const QString &connectorId, const QJsonObject &config)
    {
        QString error;
        const qint64 id = engine->saveConnection(0, name, connectorId, config, &error);
        if (id == 0)
            qWarning() << "saveConnection:" << error;
        return catalog->connectionById(id).value_or(ConnectionInfo());
    }

    // Runs a sync to its end; the summary, plus every progress snapshot seen.
    RunSummary sync(const ConnectionInfo &connection, SyncOptions options = {},
                    QList<EntityProgress> *progress = nullptr, int timeoutMs = 120000)
    {
        QString error;
        SyncJob *job = engine->startSync(connection, options, &error);
        if (!job) {
            RunSummary failed;
            failed.status = QStringLiteral("not started");
            failed.error = error;
            return failed;
        }
        QSignalSpy finished(job, &SyncJob::finished);
        if (progress)
            QObject::connect(job, &SyncJob::progress, job,
                             [progress](const EntityProgress &p) { progress->append(p); });
        if (!finished.wait(timeoutMs)) {
            RunSummary timedOut;
            timedOut.status = QStringLiteral("timed out");
            return timedOut;
        }
        return finished.first().first().value<RunSummary>();
    }

    QStringList keys(qint64 connectionId, const QString &entity)
    {
        QStringList list;
        QSqlQuery q(catalog->database());
        q.prepare(QStringLiteral(
            "SELECT record_key FROM records WHERE connection_id = ? AND entity = ? ORDER BY record_key"));
        q.addBindValue(connectionId);
        q.addBindValue(entity);
        q.exec();
        while (q.next())
            list.append(q.value(0).toString());
        return list;
    }
};

// What fetching an entity chunk after chunk brought back, for connector tests that drive a connector
// directly.
struct ChunkRun
{
    QList<Record> records;
    FetchState state;
    int chunks = 0;
    QStringList log;
};

inline QSet<QString> keysOf(const QList<Record> &records)
{
    QSet<QString> keys;
    for (const Record &r : records)
        keys.insert(QString::fromUtf8(r.key));
    return keys;
}

inline QSet<QString> toSet(const QStringList &list)
{
    return QSet<QString>(list.begin(), list.end());
}

// Fetches chunk after chunk until the entity is done, on the calling thread. `make` returns a set-up
// connector. With `resume`, every chunk runs on a fresh connector from the previous chunk's FetchState after
// a round trip through its JSON form, as after a restart.
template <typename MakeConnector>
ChunkRun fetchChunks(MakeConnector make, const QString &entity, int batchSize, int maxIterations,
                     const QJsonValue &since, bool resume)
{
    ChunkRun run;
    decltype(make()) connector;
    for (int guard = 0; guard < 1000; ++guard) {
        if (!connector || resume)
            connector = make();
        ResumableFetchOptions options;
        options.entity = entity;
        options.batchSize = batchSize;
        options.maxIterations = maxIterations;
        options.state = run.state;
        options.since = since;
        options.onBatch = [&](RecordBatch &&batch) { run.records.append(batch); };
        options.onLog = [&](LogLevel, const QString &message) { run.log.append(message); };
        run.state = connector->fetchEntityChunk(options);
        ++run.chunks;
        if (resume) {
            const QByteArray saved = QJsonDocument(run.state.toJson()).toJson(QJsonDocument::Compact);
            run.state = FetchState::fromJson(QJsonDocument::fromJson(saved).object());
        }
        if (!run.state.hasMore)
            break;
    }
    return run;
}
