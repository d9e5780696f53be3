// Exact data under every failure that is not a clean run, through mako-connect-cli processes and the fake
// Stripe server: two processes meeting on one connection, a page cut short, an API whose cursor does not
// move, a damaged secret store, the history of a killed run, and random SIGKILLs across a three-entity sync
// and a full refresh.
#include "catalog.h"
#include "fakestripeserver.h"
#include "secretstore.h"
#include "testcatalog.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include <csignal>

namespace {

struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// The crash test's entities: two long ones and a short one that finishes while the others still run.
const QStringList kThree{QStringLiteral("customers"), QStringLiteral("charges"), QStringLiteral("prices")};

} // namespace

class TestExactData : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeStripeServer m_server;
    QString m_catalog;

    QStringList withCatalog(const QStringList &args) const
    {
        return QStringList{QStringLiteral("--catalog"), m_catalog} + args;
    }

    CliResult cli(const QStringList &args, const QByteArray &input = {})
    {
        QProcess process;
        process.start(QStringLiteral(MC_CLI_PATH), withCatalog(args));
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(120000)) {
            process.kill();
            process.waitForFinished();
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }

    QString config() const
    {
        return QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("api_key"), QStringLiteral("sk_test_mako")},
                                      {QStringLiteral("base_url"), m_server.baseUrl().toString()}})
                .toJson(QJsonDocument::Compact));
    }

    void addConnection(const QString &name)
    {
        const CliResult added = cli({QStringLiteral("connections"), QStringLiteral("add"),
                                     QStringLiteral("--connector"), QStringLiteral("stripe"),
                                     QStringLiteral("--name"), name, QStringLiteral("--config"), config()});
        QVERIFY2(added.exitCode == 0, added.err.constData());
    }

    // One query on a connection of the test's own, closed again at once.
    QList<QVariantList> query(const QString &sql)
    {
        QList<QVariantList> rows;
        Catalog catalog(m_catalog);
        if (catalog.isOpen()) {
            QSqlQuery q(catalog.database());
            q.exec(sql);
            while (q.next()) {
                QVariantList row;
                for (int i = 0; i < q.record().count(); ++i)
                    row.append(q.value(i));
                rows.append(row);
            }
        }
        return rows;
    }

    QStringList catalogKeys(const QString &connection, const QString &entity)
    {
        QStringList keys;
        for (const QVariantList &row :
             query(QStringLiteral("SELECT record_key FROM records JOIN connections c ON c.id = connection_id "
                                  "WHERE c.name = '%1' AND entity = '%2' ORDER BY record_key")
                       .arg(connection, entity)))
            keys.append(row.first().toString());
        return keys;
    }

    // Where a connection stands before a rerun: per entity its sync_state (status, run, FetchState), and the
    // newest run with its status.
    struct Standing
    {
        QHash<QString, QPair<qint64, QJsonObject>> states; // entity -> (run id, FetchState)
        qint64 latestRun = 0;
        QString latestStatus;
    };
    Standing standing(const QString &connection)
    {
        Standing s;
        for (const QVariantList &row :
             query(QStringLiteral("SELECT entity, run_id, state FROM sync_state JOIN connections c ON c.id = "
                                  "connection_id WHERE c.name = '%1'")
                       .arg(connection)))
            s.states.insert(
                row.at(0).toString(),
                {row.at(1).toLongLong(), QJsonDocument::fromJson(row.at(2).toString().toUtf8()).object()});
        const QList<QVariantList> runs =
            query(QStringLiteral(
                      "SELECT r.id, r.status, r.pid FROM runs r JOIN connections c ON c.id = r.connection_id "
                      "WHERE c.name = '%1' ORDER BY r.id DESC LIMIT 1")
                      .arg(connection));
        if (!runs.isEmpty()) {
            s.latestRun = runs.first().at(0).toLongLong();
            // A killed run still says "running" until the next process marks it interrupted.
            s.latestStatus = runs.first().at(1).toString();
        }
        return s;
    }

    QStringList sortedServerIds(const QString &entity)
    {
        QStringList ids = m_server.ids(entity);
        ids.sort();
        return ids;
    }

    // Starts a sync and returns once it has committed at least `committed` records (json progress).
    bool startSyncUntilCommitted(QProcess *process, const QStringList &args, qint64 committed)
    {
        process->start(QStringLiteral(MC_CLI_PATH),
                       withCatalog(args + QStringList{QStringLiteral("--progress"), QStringLiteral("json")}));
        QByteArray buffer;
        while (process->waitForReadyRead(30000)) {
            buffer += process->readAllStandardOutput();
            qsizetype end;
            while ((end = buffer.indexOf('\n')) >= 0) {
                const QJsonObject line = QJsonDocument::fromJson(buffer.left(end)).object();
                buffer.remove(0, end + 1);
                if (line.value(QStringLiteral("committed")).toInteger() >= committed)
                    return true;
            }
        }
        qWarning() << process->readAllStandardError();
        return false;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.start());
        m_catalog = TestCatalogs::fresh(m_dir.filePath(QStringLiteral("catalog.sqlite")));
        m_server.seed(QStringLiteral("customers"), 6000);
        m_server.seed(QStringLiteral("charges"), 6000);
        m_server.seed(QStringLiteral("invoices"), 6000);
        m_server.seed(QStringLiteral("products"), 30);
        m_server.seed(QStringLiteral("refunds"), 250);
        m_server.seed(QStringLiteral("prices"), 1000);
        addConnection(QStringLiteral("prod"));
    }

    // I7: a second process is refused while the first syncs (exit 2, who holds it), whatever the mode; the
    // first finishes with every record; a holder killed with SIGKILL leaves no stale lock.
    void twoProcessesNeverSyncOneConnection()
    {
        m_server.setLatencyMs(20);
        QProcess first;
        QVERIFY(startSyncUntilCommitted(&first,
                                        {QStringLiteral("sync"), QStringLiteral("prod"),
                                         QStringLiteral("--entity"), QStringLiteral("customers")},
                                        100));
        const CliResult second =
            cli({QStringLiteral("sync"), QStringLiteral("prod"), QStringLiteral("--mode"),
                 QStringLiteral("incremental"), QStringLiteral("--entity"), QStringLiteral("customers")});
        QCOMPARE(second.exitCode, 2);
        QVERIFY2(second.err.contains(
                     QStringLiteral("\"prod\" is already syncing in another process (pid %1 on host ")
                         .arg(first.processId())
                         .toUtf8()),
                 second.err.constData());
        m_server.setLatencyMs(0);
        QVERIFY(first.waitForFinished(60000));
        QCOMPARE(first.exitCode(), 0);
        QCOMPARE(catalogKeys(QStringLiteral("prod"), QStringLiteral("customers")),
                 sortedServerIds(QStringLiteral("customers")));

        // A full refresh killed mid-way: the kernel drops its lock, and the next sync may run at once.
        m_server.setLatencyMs(20);
        QProcess killed;
        QVERIFY(startSyncUntilCommitted(&killed,
                                        {QStringLiteral("sync"), QStringLiteral("prod"),
                                         QStringLiteral("--entity"), QStringLiteral("customers")},
                                        100));
        ::kill(pid_t(killed.processId()), SIGKILL);
        QVERIFY(killed.waitForFinished(10000));
        m_server.setLatencyMs(0);
        const CliResult after = cli({QStringLiteral("sync"), QStringLiteral("prod"),
                                     QStringLiteral("--entity"), QStringLiteral("customers")});
        QVERIFY2(after.exitCode == 0, after.err.constData());
        QCOMPARE(catalogKeys(QStringLiteral("prod"), QStringLiteral("customers")),
                 sortedServerIds(QStringLiteral("customers")));
    }

    // A 200 whose body is cut short is fetched again within the retry budget; the sync is whole.
    void aPageCutShortIsFetchedAgain_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("note");
        QTest::newRow("JSON ends mid-body")
            << int(FakeStripeServer::Malformed::Truncated) << QStringLiteral("fetching the page again");
        QTest::newRow("connection closes mid-body")
            << int(FakeStripeServer::Malformed::CutShort) << QStringLiteral("ended early");
    }
    void aPageCutShortIsFetchedAgain()
    {
        QFETCH(int, kind);
        QFETCH(QString, note);
        m_server.setMalformedPage(QStringLiteral("prices"), 3, FakeStripeServer::Malformed(kind), 1);
        const CliResult r = cli({QStringLiteral("sync"), QStringLiteral("prod"), QStringLiteral("--entity"),
                                 QStringLiteral("prices"), QStringLiteral("--restart")});
        m_server.setMalformedPage(QStringLiteral("prices"), -1);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains(note.toUtf8()), r.err.constData());
        QCOMPARE(catalogKeys(QStringLiteral("prod"), QStringLiteral("prices")),
                 sortedServerIds(QStringLiteral("prices")));
    }

    // A run where one entity failed is partial; the rerun asks the API only for what is left: the server's
    // request counts show the finished entity is not fetched again and the failed one resumes at its page.
    void aRerunFetchesOnlyWhatIsLeft()
    {
        m_server.setMalformedPage(QStringLiteral("invoices"), 20, FakeStripeServer::Malformed::MissingData);
        QStringList args{QStringLiteral("sync"),     QStringLiteral("prod"),    QStringLiteral("--restart"),
                         QStringLiteral("--entity"), QStringLiteral("charges"), QStringLiteral("--entity"),
                         QStringLiteral("invoices")};
        const CliResult failed = cli(args);
        QCOMPARE(failed.exitCode, 1);
        QVERIFY2(failed.err.contains("Sync partly failed: invoices: "), failed.err.constData());
        QCOMPARE(catalogKeys(QStringLiteral("prod"), QStringLiteral("invoices")).size(), 2000);

        m_server.setMalformedPage(QStringLiteral("invoices"), -1);
        const int charges = m_server.listRequestCount(QStringLiteral("charges"));
        const int invoices = m_server.listRequestCount(QStringLiteral("invoices"));
        args.removeAll(QStringLiteral("--restart"));
        const CliResult rerun = cli(args);
        QVERIFY2(rerun.exitCode == 0, rerun.err.constData());
        QVERIFY2(rerun.err.contains("charges: already done in the interrupted run this one continues"),
                 rerun.err.constData());
        QVERIFY2(rerun.err.contains("invoices: resuming after 2,000 saved records"), rerun.err.constData());
        QCOMPARE(m_server.listRequestCount(QStringLiteral("charges")), charges);
        QCOMPARE(m_server.listRequestCount(QStringLiteral("invoices")) - invoices, 40); // pages 21-60 only
        QCOMPARE(catalogKeys(QStringLiteral("prod"), QStringLiteral("invoices")),
                 sortedServerIds(QStringLiteral("invoices")));
        const CliResult runs = cli({QStringLiteral("runs"), QStringLiteral("prod")});
        QVERIFY2(runs.out.contains("  partial  "), runs.out.constData());
        QVERIFY2(runs.out.contains("charges: 0 saved — skipped"), runs.out.constData());
    }

    // An API that answers every page with has_more and the same cursor is stopped at the second page, with
    // the URL and what it did; every count says what is saved (one page).
    void aCursorThatDoesNotMoveIsCaught()
    {
        m_server.setStuckCursor(QStringLiteral("refunds"), true);
        const int before = m_server.listRequestCount(QStringLiteral("refunds"));
        const CliResult r = cli({QStringLiteral("sync"), QStringLiteral("prod"), QStringLiteral("--entity"),
                                 QStringLiteral("refunds")});
        m_server.setStuckCursor(QStringLiteral("refunds"), false);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("pointed at the same cursor"), r.err.constData());
        QVERIFY2(r.err.contains("/v1/refunds?limit=100&starting_after="), r.err.constData());
        QVERIFY2(r.err.contains("refunds: 100 / 250 records saved"), r.err.constData());
        QCOMPARE(m_server.listRequestCount(QStringLiteral("refunds")) - before, 2);
        QCOMPARE(catalogKeys(QStringLiteral("prod"), QStringLiteral("refunds")).size(), 100);
        const CliResult runs =
            cli({QStringLiteral("runs"), QStringLiteral("prod"), QStringLiteral("--json")});
        const QJsonObject last = QJsonDocument::fromJson(runs.out).array().first().toObject();
        QCOMPARE(last.value(QStringLiteral("records")).toInteger(), 100);
        QCOMPARE(last.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
    }

    // With a damaged secret store, adding a connection changes nothing; once the store is usable again the
    // same add works. A connection whose secret is lost gets it back with set-secret and keeps its records.
    void connectionsAndTheirSecretsAreSavedTogether()
    {
        const QString secrets = FileSecretStore::defaultPathFor(m_catalog);
        QFile original(secrets);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray kept = original.readAll();
        original.close();
        QVERIFY(QFile::remove(secrets));
        QFile damaged(secrets);
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("{\"1/api_key\": \"sk_te");
        damaged.close();

        const QStringList add{QStringLiteral("connections"), QStringLiteral("add"),
                              QStringLiteral("--connector"), QStringLiteral("stripe"),
                              QStringLiteral("--name"),      QStringLiteral("second"),
                              QStringLiteral("--config"),    config()};
        const CliResult refused = cli(add);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("\"second\" was not added") && refused.err.contains("is damaged"),
                 refused.err.constData());
        const CliResult list = cli({QStringLiteral("connections"), QStringLiteral("list")});
        QVERIFY2(!list.out.contains("second"), list.out.constData());

        QVERIFY(QFile::remove(secrets)); // the user moves the damaged file aside
        const CliResult added = cli(add);
        QVERIFY2(added.exitCode == 0, added.err.constData());

        // "prod" lost its key with that file: its sync says so, set-secret gives it back, records stay.
        const qsizetype customers = catalogKeys(QStringLiteral("prod"), QStringLiteral("customers")).size();
        QVERIFY(customers > 0);
        const CliResult noKey = cli({QStringLiteral("sync"), QStringLiteral("prod"),
                                     QStringLiteral("--entity"), QStringLiteral("products")});
        QCOMPARE(noKey.exitCode, 1);
        QVERIFY2(noKey.err.contains("api_key"), noKey.err.constData());
        const CliResult set =
            cli({QStringLiteral("connections"), QStringLiteral("set-secret"), QStringLiteral("prod")},
                "sk_test_mako\n");
        QVERIFY2(set.exitCode == 0, set.err.constData());
        QVERIFY(!set.out.contains("sk_test_mako") && !set.err.contains("sk_test_mako"));
        QCOMPARE(catalogKeys(QStringLiteral("prod"), QStringLiteral("customers")).size(), customers);
        const CliResult synced = cli({QStringLiteral("sync"), QStringLiteral("prod"),
                                      QStringLiteral("--entity"), QStringLiteral("products")});
        QVERIFY2(synced.exitCode == 0, synced.err.constData());
        Q_UNUSED(kept);
    }

    // A run killed with SIGKILL shows, per entity, what it committed, and ends at its last commit, not when
    // someone next looked.
    void aKilledRunsHistoryIsTrue()
    {
        m_server.setLatencyMs(20);
        QProcess process;
        QVERIFY(startSyncUntilCommitted(&process,
                                        {QStringLiteral("sync"), QStringLiteral("prod"),
                                         QStringLiteral("--entity"), QStringLiteral("charges"),
                                         QStringLiteral("--restart")},
                                        1000));
        ::kill(pid_t(process.processId()), SIGKILL);
        const QDateTime killedAt = QDateTime::currentDateTimeUtc();
        QVERIFY(process.waitForFinished(10000));
        m_server.setLatencyMs(0);
        // What the killed run committed: its position in the refresh (the catalog also holds older records).
        const qint64 committed = standing(QStringLiteral("prod"))
                                     .states.value(QStringLiteral("charges"))
                                     .second.value(QStringLiteral("totalProcessed"))
                                     .toInteger();
        QVERIFY(committed >= 1000 && committed < 6000);
        const CliResult runs =
            cli({QStringLiteral("runs"), QStringLiteral("prod"), QStringLiteral("--json")});
        const QJsonObject last = QJsonDocument::fromJson(runs.out).array().first().toObject();
        QCOMPARE(last.value(QStringLiteral("status")).toString(), QStringLiteral("interrupted"));
        QCOMPARE(last.value(QStringLiteral("entityCounts"))
                     .toObject()
                     .value(QStringLiteral("charges"))
                     .toInteger(),
                 committed);
        QCOMPARE(last.value(QStringLiteral("records")).toInteger(), committed);
        const QDateTime finished =
            QDateTime::fromString(last.value(QStringLiteral("finished")).toString(), Qt::ISODateWithMs);
        QVERIFY2(finished <= killedAt,
                 qPrintable(finished.toString(Qt::ISODateWithMs) + QStringLiteral(" > ") +
                            killedAt.toString(Qt::ISODateWithMs)));
    }

    // Random SIGKILLs (seeded; the seed is printed, MC_CRASH_SEED repeats a run) across a three-entity sync
    // and then a full refresh, each followed by a rerun that starts every entity at its committed cursor.
    void randomKillsLoseNothing()
    {
        const quint32 seed = qEnvironmentVariableIsSet("MC_CRASH_SEED")
                                 ? quint32(qEnvironmentVariableIntValue("MC_CRASH_SEED"))
                                 : quint32(QDateTime::currentMSecsSinceEpoch());
        qInfo("crash test seed %u (MC_CRASH_SEED=%u repeats it)", seed, seed);
        QRandomGenerator random(seed);
        // Small pages over a slow link: 300 pages for the long entities, so every kill lands mid-sync.
        const CliResult added =
            cli({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                 QStringLiteral("stripe"), QStringLiteral("--name"), QStringLiteral("crash"),
                 QStringLiteral("--config"),
                 QString(config()).replace(QStringLiteral("}"), QStringLiteral(",\"batch_size\":20}"))});
        QVERIFY2(added.exitCode == 0, added.err.constData());
        QStringList args{QStringLiteral("sync"), QStringLiteral("crash")};
        for (const QString &entity : kThree)
            args += {QStringLiteral("--entity"), entity};
        m_server.setLatencyMs(25);

        int kills = 0;
        for (int phase = 0; phase < 2; ++phase) {
            if (phase == 1) {
                // The source changes before the full refresh: one record gone, some new.
                m_server.removeRecord(QStringLiteral("customers"),
                                      m_server.ids(QStringLiteral("customers")).last());
                m_server.addRecords(QStringLiteral("charges"), 150);
            }
            // Ten kills a phase: a round whose sync ends before its instant kills nothing, and the next
            // round starts a new run (from the first page, which checkFirstRequests expects).
            for (int round = 0, landed = 0; landed < 10 && round < 40; ++round) {
                const Standing before = standing(QStringLiteral("crash"));
                m_server.clearRequestLog();
                QProcess process;
                process.start(
                    QStringLiteral(MC_CLI_PATH),
                    withCatalog(args + QStringList{QStringLiteral("--progress"), QStringLiteral("none")}));
                QVERIFY(process.waitForStarted());
                // A random instant: from CLI start-up to well into the sync.
                QEventLoop wait;
                QTimer::singleShot(int(random.bounded(100, 1200)), &wait, &QEventLoop::quit);
                connect(&process, &QProcess::finished, &wait, &QEventLoop::quit);
                wait.exec();
                if (process.state() == QProcess::Running) {
                    ::kill(pid_t(process.processId()), SIGKILL);
                    ++kills;
                    ++landed;
                }
                // waitForFinished() is false for a process that has already finished on its own.
                if (process.state() != QProcess::NotRunning)
                    QVERIFY(process.waitForFinished(30000));
                if (!TestCatalogs::onPostgres())
                    QCOMPARE(query(QStringLiteral("PRAGMA integrity_check")).value(0).value(0).toString(),
                             QStringLiteral("ok"));
                checkFirstRequests(before);
            }
            const CliResult finish = cli(args);
            QVERIFY2(finish.exitCode == 0, finish.err.constData());
            for (const QString &entity : kThree)
                QCOMPARE(catalogKeys(QStringLiteral("crash"), entity), sortedServerIds(entity));
        }
        m_server.setLatencyMs(0);
        qInfo("%d SIGKILLs; reruns: %d entities resumed at their committed cursor, %d finished ones not "
              "fetched "
              "again, %d started from the first page",
              kills, m_resumedAtCursor, m_notRefetched, m_startedFresh);
        QVERIFY2(kills >= 20, qPrintable(QStringLiteral("only %1 kills landed").arg(kills)));
    }

private:
    int m_resumedAtCursor = 0;
    int m_notRefetched = 0;
    int m_startedFresh = 0;

    // The first request of each entity in a rerun starts at the cursor its state committed: no page is
    // fetched twice, none skipped. An entity the interrupted run finished is not asked for at all; after a
    // finished run, everything starts from the first page (a new full refresh).
    void checkFirstRequests(const Standing &before)
    {
        QHash<QString, QUrlQuery> first;
        for (const QByteArray &target : m_server.requestLog()) {
            const QUrl url(QString::fromUtf8(target));
            const QString entity = url.path().section(QLatin1Char('/'), 2, 2);
            if (kThree.contains(entity) && !first.contains(entity))
                first.insert(entity, QUrlQuery(url));
        }
        const bool continues = before.latestRun > 0 && before.latestStatus != QLatin1String("done");
        for (const QString &entity : kThree) {
            const auto state = before.states.value(entity);
            const bool known = before.states.contains(entity);
            const bool unfinished = known && state.second.value(QStringLiteral("hasMore")).toBool();
            const bool doneInThatRun = known && !unfinished && continues && state.first == before.latestRun;
            if (doneInThatRun) {
                QVERIFY2(!first.contains(entity), qPrintable(entity + QStringLiteral(" was fetched again")));
                ++m_notRefetched;
            } else if (first.contains(entity)) {
                const QString expected =
                    unfinished ? state.second.value(QStringLiteral("cursor")).toString() : QString();
                QCOMPARE(first.value(entity).queryItemValue(QStringLiteral("starting_after")), expected);
                ++(unfinished ? m_resumedAtCursor : m_startedFresh);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestExactData)
#include "tst_exactdata.moc"
