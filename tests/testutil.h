// Shared helpers for tests that sync through the real engine into a real SQLite file.
#pragma once

#include "catalog.h"
#include "connectorregistry.h"
#include "secretstore.h"
#include "syncengine.h"

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
        catalogPath = dir.filePath(QStringLiteral("catalog.sqlite"));
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
