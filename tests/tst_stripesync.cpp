// End to end: Stripe connector -> real QNetworkAccessManager -> fake Stripe on 127.0.0.1 -> engine -> SQLite.
#include "fakestripeserver.h"
#include "testutil.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

class TestStripeSync : public QObject
{
    Q_OBJECT

private:
    FakeStripeServer *m_server = nullptr;
    EngineFixture *m_fx = nullptr;
    ConnectionInfo m_connection;

    QStringList serverIds(const QString &entity) const
    {
        QStringList ids = m_server->ids(entity);
        ids.sort();
        return ids;
    }

    // How many records the entity's kept schema counted: every record has an id.
    qint64 countedIds(const QString &entity) const
    {
        for (const FieldStats &field : m_fx->catalog->entityFields(m_connection.id, entity)) {
            if (field.path == QLatin1String("id"))
                return field.counts.total();
        }
        return 0;
    }

    QJsonObject config(const QString &key = QStringLiteral("sk_test_mako")) const
    {
        return QJsonObject{{QStringLiteral("api_key"), key},
                           {QStringLiteral("base_url"), m_server->baseUrl().toString()},
                           {QStringLiteral("max_retries"), 4}};
    }

    SyncOptions options(const QStringList &entities, SyncMode mode = SyncMode::Full)
    {
        SyncOptions o;
        o.entities = entities;
        o.mode = mode;
        return o;
    }

private slots:
    void init()
    {
        m_server = new FakeStripeServer;
        QVERIFY(m_server->start());
        m_fx = new EngineFixture;
        QVERIFY(m_fx->open());
        m_connection = m_fx->addConnection(QStringLiteral("Stripe prod"), QStringLiteral("stripe"), config());
        QVERIFY(m_connection.id > 0);
    }

    void cleanup()
    {
        delete m_fx;
        delete m_server;
    }

    void fullSyncHoldsExactRecordSetAcrossManyPages()
    {
        m_server->seed(QStringLiteral("customers"), 1234);
        m_server->seed(QStringLiteral("charges"), 250);
        m_server->seed(QStringLiteral("invoices"), 0);
        QList<EntityProgress> progress;
        const RunSummary summary = m_fx->sync(
            m_connection,
            options({QStringLiteral("customers"), QStringLiteral("charges"), QStringLiteral("invoices")}),
            &progress);
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("customers")),
                 serverIds(QStringLiteral("customers")));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("charges")),
                 serverIds(QStringLiteral("charges")));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("invoices")).size(), 0);
        QCOMPARE(summary.processed.value(QStringLiteral("customers")), 1234);
        // 13 pages of 100 records: pagination followed starting_after to the end.
        QCOMPARE(m_server->listRequestCount(QStringLiteral("customers")), 13);
        // Records are stored exactly as Stripe sent them.
        QSqlQuery q(m_fx->catalog->database());
        q.exec(QStringLiteral(
            "SELECT data FROM records WHERE entity = 'customers' AND record_key = 'cus_0000000007'"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString().toUtf8(),
                 m_server->recordJson(QStringLiteral("customers"), QStringLiteral("cus_0000000007")));
        // Progress reported a known total and ended done.
        bool sawTotal = false;
        for (const EntityProgress &p : progress)
            sawTotal = sawTotal || (p.entity == QLatin1String("customers") && p.total == 1234);
        QVERIFY(sawTotal);
        QCOMPARE(progress.last().state, QStringLiteral("done"));
        // The run is in the history with its counts, and the per-entity view has top-level columns.
        const QList<RunInfo> runs = m_fx->catalog->runs(m_connection.id);
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().status, QStringLiteral("done"));
        QCOMPARE(runs.first().records, 1234 + 250);
        QSqlQuery view(m_fx->catalog->database());
        QVERIFY(view.exec(QStringLiteral(
            "SELECT email, created, created__raw, typeof(created__raw) FROM stripe_prod__customers "
            "WHERE _key = 'cus_0000000007'")));
        QVERIFY(view.next());
        QVERIFY(view.value(0).toString().contains(QLatin1Char('@')));
        // Stripe's `created` is declared Unix seconds: ISO-8601 UTC in the view, the number beside it.
        QCOMPARE(view.value(1).toString(), QStringLiteral("2023-11-14T22:13:27Z"));
        QCOMPARE(view.value(2).toLongLong(), 1700000007);
        QCOMPARE(view.value(3).toString(), QStringLiteral("integer"));
    }

    void rerunCreatesNoDuplicatesAndUpdatesContent()
    {
        m_server->seed(QStringLiteral("customers"), 300);
        QCOMPARE(m_fx->sync(m_connection, options({QStringLiteral("customers")})).status,
                 QStringLiteral("done"));
        m_server->updateRecord(QStringLiteral("customers"), QStringLiteral("cus_0000000010"), "name",
                               QStringLiteral("Renamed Ltd"));
        QCOMPARE(m_fx->sync(m_connection, options({QStringLiteral("customers")})).status,
                 QStringLiteral("done"));
        QCOMPARE(m_fx->catalog->recordCount(m_connection.id, QStringLiteral("customers")), 300);
        QSqlQuery q(m_fx->catalog->database());
        q.exec(QStringLiteral(
            "SELECT json_extract(data, '$.name') FROM records WHERE record_key = 'cus_0000000010'"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("Renamed Ltd"));
    }

    void fullRefreshRemovesDeletedRecordsOnlyAtTheEnd()
    {
        m_server->seed(QStringLiteral("products"), 120);
        QCOMPARE(m_fx->sync(m_connection, options({QStringLiteral("products")})).status,
                 QStringLiteral("done"));
        m_server->removeRecord(QStringLiteral("products"), QStringLiteral("prod_0000000005"));
        // A failing refresh keeps everything the user had (I3).
        m_server->setMalformedPage(QStringLiteral("products"), 1);
        QCOMPARE(m_fx->sync(m_connection, options({QStringLiteral("products")}, SyncMode::Full)).status,
                 QStringLiteral("failed"));
        QCOMPARE(m_fx->catalog->recordCount(m_connection.id, QStringLiteral("products")), 120);
        // The completed refresh (resuming) removes the one the source no longer has.
        m_server->setMalformedPage(QStringLiteral("products"), -1);
        const RunSummary completed = m_fx->sync(m_connection, options({QStringLiteral("products")}));
        QCOMPARE(completed.status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("products")),
                 serverIds(QStringLiteral("products")));
        QCOMPARE(m_fx->catalog->recordCount(m_connection.id, QStringLiteral("products")), 119);
        // The run that removed it says so, committed with the removal; the failed one removed nothing.
        QCOMPARE(m_fx->catalog->run(completed.runId)->removed, qint64(1));
        QCOMPARE(m_fx->catalog->run(completed.runId - 1)->removed, qint64(0));
    }

    void incrementalPicksUpNewRecords()
    {
        m_server->seed(QStringLiteral("charges"), 250);
        QCOMPARE(m_fx->sync(m_connection, options({QStringLiteral("charges")})).status,
                 QStringLiteral("done"));
        const auto state = m_fx->catalog->entityState(m_connection.id, QStringLiteral("charges"));
        QVERIFY(state);
        QCOMPARE(state->nextSince.toInteger(), 1700000250);
        m_server->addRecords(QStringLiteral("charges"), 40);
        m_server->clearRequestLog();
        const RunSummary summary =
            m_fx->sync(m_connection, options({QStringLiteral("charges")}, SyncMode::Incremental));
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("charges")),
                 serverIds(QStringLiteral("charges")));
        // Only records created since the last sync were asked for (created[gte] keeps the boundary record).
        QCOMPARE(summary.processed.value(QStringLiteral("charges")), 41);
        const QList<QByteArray> log = m_server->requestLog();
        QVERIFY(!log.isEmpty());
        QVERIFY2(log.first().contains("created%5Bgte%5D=1700000250") ||
                     log.first().contains("created[gte]=1700000250"),
                 log.first().constData());
    }

    // One run, two modes: charges fetch only what is new, products refresh fully and lose what the API no
    // longer has; each entity's state keeps its own mode, and the run says it was mixed.
    void eachEntityHasItsOwnMode()
    {
        m_server->seed(QStringLiteral("charges"), 250);
        m_server->seed(QStringLiteral("products"), 120);
        const QStringList both{QStringLiteral("charges"), QStringLiteral("products")};
        QCOMPARE(m_fx->sync(m_connection, options(both)).status, QStringLiteral("done"));
        m_server->addRecords(QStringLiteral("charges"), 40);
        m_server->removeRecord(QStringLiteral("products"), QStringLiteral("prod_0000000005"));

        SyncOptions mixed = options(both, SyncMode::Full);
        mixed.entityModes.insert(QStringLiteral("charges"), SyncMode::Incremental);
        const RunSummary summary = m_fx->sync(m_connection, mixed);
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(summary.processed.value(QStringLiteral("charges")), 41); // created[gte] the last one
        QCOMPARE(summary.processed.value(QStringLiteral("products")), 119);
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("charges")),
                 serverIds(QStringLiteral("charges")));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("products")),
                 serverIds(QStringLiteral("products")));
        QCOMPARE(m_fx->catalog->entityState(m_connection.id, QStringLiteral("charges"))->mode,
                 QStringLiteral("incremental"));
        QCOMPARE(m_fx->catalog->entityState(m_connection.id, QStringLiteral("products"))->mode,
                 QStringLiteral("full"));
        QCOMPARE(m_fx->catalog->run(summary.runId)->mode, QStringLiteral("mixed"));
        QCOMPARE(m_fx->catalog->run(summary.runId)->removed, qint64(1));
    }

    void rateLimitWithRetryAfterIsWaitedOut_data()
    {
        QTest::addColumn<bool>("httpDate");
        QTest::newRow("seconds") << false;
        QTest::newRow("http-date") << true;
    }

    void rateLimitWithRetryAfterIsWaitedOut()
    {
        QFETCH(bool, httpDate);
        m_server->seed(QStringLiteral("refunds"), 500);
        m_server->setRateLimitEvery(3, 1, httpDate);
        QList<EntityProgress> progress;
        const RunSummary summary = m_fx->sync(m_connection, options({QStringLiteral("refunds")}));
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("refunds")),
                 serverIds(QStringLiteral("refunds")));
        const QList<RunLogEntry> log = m_fx->catalog->runLog(summary.runId);
        bool sawRetry = false;
        for (const RunLogEntry &entry : log)
            sawRetry = sawRetry || entry.message.contains(QLatin1String("HTTP 429"));
        QVERIFY(sawRetry);
    }

    void serverErrorBurstRecovers()
    {
        m_server->seed(QStringLiteral("prices"), 150);
        m_server->failNext(3, 503);
        const RunSummary summary = m_fx->sync(m_connection, options({QStringLiteral("prices")}));
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("prices")), serverIds(QStringLiteral("prices")));
    }

    void malformedPageFailsWithUrlAndKeepsCommittedChunks()
    {
        m_server->seed(QStringLiteral("invoices"), 500);
        m_server->setMalformedPage(QStringLiteral("invoices"), 3, FakeStripeServer::Malformed::Truncated);
        const RunSummary summary =
            m_fx->sync(m_connection, options({QStringLiteral("invoices")}, SyncMode::Full));
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("/v1/invoices")), qPrintable(summary.error));
        QVERIFY2(summary.error.contains(QLatin1String("starting_after")), qPrintable(summary.error));
        // Pages 0-2 were committed chunk by chunk (one page each) and stay.
        QCOMPARE(m_fx->catalog->recordCount(m_connection.id, QStringLiteral("invoices")), 300);
        const auto state = m_fx->catalog->entityState(m_connection.id, QStringLiteral("invoices"));
        QVERIFY(state);
        QCOMPARE(state->status, QStringLiteral("failed"));
        QCOMPARE(state->state.totalProcessed, 300);
        QCOMPARE(countedIds(QStringLiteral("invoices")), 300); // the schema counts what was committed
        // Once the page is fixed, the rerun resumes at page 3 rather than starting over.
        m_server->setMalformedPage(QStringLiteral("invoices"), -1);
        m_server->clearRequestLog();
        QCOMPARE(m_fx->sync(m_connection, options({QStringLiteral("invoices")})).status,
                 QStringLiteral("done"));
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("invoices")),
                 serverIds(QStringLiteral("invoices")));
        // 4 pages before, the cut-short one asked for again max_retries (4) times as a transient failure,
        // then only pages 3 and 4 again.
        QCOMPARE(m_server->listRequestCount(QStringLiteral("invoices")), 4 + 4 + 2);
        QCOMPARE(countedIds(QStringLiteral("invoices")), 500);
    }

    void missingDataIsAnErrorNotAnEmptyPage()
    {
        m_server->seed(QStringLiteral("subscriptions"), 50);
        m_server->setMalformedPage(QStringLiteral("subscriptions"), 0,
                                   FakeStripeServer::Malformed::MissingData);
        const RunSummary summary = m_fx->sync(m_connection, options({QStringLiteral("subscriptions")}));
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("\"data\"")), qPrintable(summary.error));
    }

    void badKeyFailsTestWithStripeMessage()
    {
        QSignalSpy spy(
            m_fx->engine->startTest(QStringLiteral("stripe"), config(QStringLiteral("sk_test_wrongkey1234"))),
            &TestJob::finished);
        QVERIFY(spy.wait(20000));
        const TestResult result = spy.first().first().value<TestResult>();
        QVERIFY(!result.success);
        QVERIFY2(result.message.startsWith(QLatin1String("Invalid API key")), qPrintable(result.message));
        QVERIFY2(result.message.contains(QLatin1String("Invalid API Key provided")),
                 qPrintable(result.message));
        QVERIFY2(!result.message.contains(QLatin1String("sk_test_wrongkey1234")), qPrintable(result.message));

        QSignalSpy ok(m_fx->engine->startTest(QStringLiteral("stripe"), config()), &TestJob::finished);
        QVERIFY(ok.wait(20000));
        const TestResult good = ok.first().first().value<TestResult>();
        QVERIFY2(good.success, qPrintable(good.message));
        QVERIFY(good.message.contains(QLatin1String("acct_")));
    }

    void badKeySyncFailsAndNeverLeaksTheKey()
    {
        m_server->seed(QStringLiteral("customers"), 10);
        const QString secret = QStringLiteral("sk_live_supersecret_9876");
        QString error;
        const qint64 id = m_fx->engine->saveConnection(0, QStringLiteral("leaky"), QStringLiteral("stripe"),
                                                       config(secret), &error);
        QVERIFY2(id > 0, qPrintable(error));
        const RunSummary summary =
            m_fx->sync(*m_fx->catalog->connectionById(id),
                       options({QStringLiteral("customers"), QStringLiteral("charges"),
                                QStringLiteral("invoices"), QStringLiteral("refunds")}));
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("Invalid API key")), qPrintable(summary.error));
        QVERIFY(!summary.error.contains(secret));
        // One cause stopping four entities is said once, naming how many.
        QCOMPARE(summary.error.count(QLatin1String("Invalid API key")), 1);
        QVERIFY2(summary.error.startsWith(QStringLiteral("4 entities (charges, customers, invoices, …): ")),
                 qPrintable(summary.error));
        // I6: not in the catalog file (config, errors, log), only in the 0600 secrets file beside it.
        m_fx->close();
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile file(m_fx->catalogPath + suffix);
            if (file.open(QIODevice::ReadOnly))
                QVERIFY(!file.readAll().contains(secret.toUtf8()));
        }
        QFile secrets(FileSecretStore::defaultPathFor(m_fx->catalogPath));
        QVERIFY(secrets.open(QIODevice::ReadOnly));
        QVERIFY(secrets.readAll().contains(secret.toUtf8()));
        QCOMPARE(secrets.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
    }

    void cancelThenResumeCompletes()
    {
        m_server->seed(QStringLiteral("balance_transactions"), 2000);
        m_server->setLatencyMs(40); // slow enough that the cancel lands mid-sync on a loaded machine
        QString error;
        SyncJob *job = m_fx->engine->startSync(
            m_connection, options({QStringLiteral("balance_transactions")}, SyncMode::Full), &error);
        QVERIFY(job);
        QSignalSpy finished(job, &SyncJob::finished);
        connect(job, &SyncJob::progress, job, [job](const EntityProgress &p) {
            if (p.committed >= 300)
                job->cancel();
        });
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().value<RunSummary>().status, QStringLiteral("cancelled"));
        const qint64 kept =
            m_fx->catalog->recordCount(m_connection.id, QStringLiteral("balance_transactions"));
        QVERIFY(kept >= 300 && kept < 2000);
        const auto state =
            m_fx->catalog->entityState(m_connection.id, QStringLiteral("balance_transactions"));
        QCOMPARE(state->status, QStringLiteral("cancelled"));
        QCOMPARE(state->state.totalProcessed, kept); // state is never ahead of data (I1)
        QCOMPARE(countedIds(QStringLiteral("balance_transactions")), kept); // nor is the schema

        m_server->setLatencyMs(0);
        QList<EntityProgress> progress;
        const RunSummary resumed =
            m_fx->sync(m_connection, options({QStringLiteral("balance_transactions")}), &progress);
        QCOMPARE(resumed.status, QStringLiteral("done"));
        QVERIFY(progress.first().resumed);
        QCOMPARE(resumed.processed.value(QStringLiteral("balance_transactions")), 2000 - kept);
        // Pages count on from where the run stopped, as records do: 20 pages of 100 in all.
        QCOMPARE(progress.first().pages, int(kept / 100));
        QCOMPARE(progress.last().pages, 20);
        QCOMPARE(m_fx->keys(m_connection.id, QStringLiteral("balance_transactions")),
                 serverIds(QStringLiteral("balance_transactions")));
        QCOMPARE(countedIds(QStringLiteral("balance_transactions")), 2000);
    }

    void unknownEntityIsRefused()
    {
        QString error;
        QVERIFY(!m_fx->engine->startSync(m_connection, options({QStringLiteral("widgets")}), &error));
        QVERIFY2(error.contains(QLatin1String("widgets")) && error.contains(QLatin1String("customers")),
                 qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestStripeSync)
#include "tst_stripesync.moc"
