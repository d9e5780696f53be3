// mako-connect-cli as a child process: the DESIGN.md §7 contract, its exit codes, and the crash test
// (SIGKILL mid-sync, rerun, exact record set).
#include "catalog.h"
#include "fakestripeserver.h"
#include "readonlydb.h"
#include "schedule.h"
#include "testcatalog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

namespace {
struct CliResult
{
    int exitCode = -1;
    QProcess::ExitStatus status = QProcess::NormalExit;
    QByteArray out;
    QByteArray err;
};
} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeStripeServer m_server;
    QString m_catalog;

    // A scratch home: what another machine's user has (its own secrets file for a PostgreSQL catalog).
    static QProcessEnvironment homeAt(const QString &home)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
        return env;
    }

    CliResult cli(const QStringList &args, int timeoutMs = 120000,
                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QProcess process;
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(MC_CLI_PATH),
                      QStringList{QStringLiteral("--catalog"), m_catalog} + args);
        CliResult result;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
        }
        result.exitCode = process.exitCode();
        result.status = process.exitStatus();
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }

    QString config(const QString &key = QStringLiteral("sk_test_mako")) const
    {
        return QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("api_key"), key},
                                      {QStringLiteral("base_url"), m_server.baseUrl().toString()}})
                .toJson(QJsonDocument::Compact));
    }

    // Record keys in the catalog, read through a separate connection.
    QStringList catalogKeys(const QString &entity)
    {
        QStringList keys;
        {
            const QSqlDatabase db = ReadOnlyDb::open(m_catalog, QStringLiteral("check"));
            if (db.isOpen()) {
                QSqlQuery q(db);
                q.prepare(QStringLiteral("SELECT record_key FROM records WHERE entity = ?"));
                q.addBindValue(entity);
                q.exec();
                while (q.next())
                    keys.append(q.value(0).toString());
            }
        }
        keys.sort(); // in one order on both engines (PostgreSQL's collation is not byte order)
        ReadOnlyDb::close(QStringLiteral("check"));
        return keys;
    }

    QStringList sortedServerIds(const QString &entity)
    {
        QStringList ids = m_server.ids(entity);
        ids.sort();
        return ids;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.start());
        m_catalog = TestCatalogs::fresh(m_dir.filePath(QStringLiteral("catalog.sqlite")));
        m_server.seed(QStringLiteral("customers"), 10000);
        m_server.seed(QStringLiteral("charges"), 10000);
        m_server.seed(QStringLiteral("invoices"), 10000);
        m_server.seed(QStringLiteral("products"), 30);
    }

    void connectorsJsonListsStripe()
    {
        const CliResult r = cli({QStringLiteral("connectors"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray list = QJsonDocument::fromJson(r.out).array();
        QJsonObject stripe;
        for (const QJsonValue &v : list) {
            if (v.toObject().value(QStringLiteral("id")) == QLatin1String("stripe"))
                stripe = v.toObject();
        }
        QCOMPARE(stripe.value(QStringLiteral("name")).toString(), QStringLiteral("Stripe"));
        QVERIFY(stripe.value(QStringLiteral("entities")).toArray().size() >= 9);
        QVERIFY(stripe.value(QStringLiteral("capabilities")).toArray().contains(QStringLiteral("resumable")));
    }

    void badInputGetsOneLineAndNonZeroExit_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown command")
            << QStringList{QStringLiteral("frobnicate")} << 2 << "unknown command";
        QTest::newRow("unknown connector")
            << QStringList{QStringLiteral("connections"), QStringLiteral("add"),
                           QStringLiteral("--connector"), QStringLiteral("nope"),
                           QStringLiteral("--name"),      QStringLiteral("x"),
                           QStringLiteral("--config"),    QStringLiteral("{}")}
            << 2 << "unknown connector \"nope\"";
        QTest::newRow("invalid json")
            << QStringList{QStringLiteral("connections"), QStringLiteral("add"),
                           QStringLiteral("--connector"), QStringLiteral("stripe"),
                           QStringLiteral("--name"),      QStringLiteral("x"),
                           QStringLiteral("--config"),    QStringLiteral("{api_key:")}
            << 2 << "not a JSON object";
        QTest::newRow("missing required field")
            << QStringList{QStringLiteral("connections"), QStringLiteral("add"),
                           QStringLiteral("--connector"), QStringLiteral("stripe"),
                           QStringLiteral("--name"),      QStringLiteral("x"),
                           QStringLiteral("--config"),    QStringLiteral("{}")}
            << 2 << "api_key: required";
        QTest::newRow("unknown connection") << QStringList{QStringLiteral("sync"), QStringLiteral("ghost")}
                                            << 1 << "no connection named \"ghost\"";
        QTest::newRow("bad mode") << QStringList{QStringLiteral("sync"), QStringLiteral("x"),
                                                 QStringLiteral("--mode"), QStringLiteral("sideways")}
                                  << 2 << "--mode takes full or incremental";
        QTest::newRow("bad entity mode")
            << QStringList{QStringLiteral("sync"), QStringLiteral("x"), QStringLiteral("--entity"),
                           QStringLiteral("charges=sideways")}
            << 2 << "--entity charges=MODE takes full or incremental";
    }

    void badInputGetsOneLineAndNonZeroExit()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const CliResult r = cli(args);
        QCOMPARE(r.status, QProcess::NormalExit);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void unwritableCatalogIsReported()
    {
        if (TestCatalogs::onPostgres())
            QSKIP("a SQLite file's problem: the PostgreSQL run's are in tst_catalog");
        QProcess process;
        process.start(QStringLiteral(MC_CLI_PATH),
                      {QStringLiteral("--catalog"), QStringLiteral("/proc/mako/catalog.sqlite"),
                       QStringLiteral("connections"), QStringLiteral("list")});
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 1);
        const QString err = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(err.contains(QLatin1String("catalog")), qPrintable(err));
        QCOMPARE(err.count(QLatin1Char('\n')), 1);
    }

    // Each catalog problem gets its own message. The read-only cases run the CLI as an unprivileged user
    // when the test runs as root (root ignores mode bits).
    void catalogProblemsAreNamed_data()
    {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("says");
        QTest::newRow("not a database")
            << QStringLiteral("notadb")
            << QStringLiteral("is not a Mako Connect catalog (the file is not a SQLite "
                              "database)");
        QTest::newRow("newer schema")
            << QStringLiteral("newer")
            << QStringLiteral("was written by a newer Mako Connect (schema 999); update "
                              "the app");
        QTest::newRow("read-only file")
            << QStringLiteral("readonly-file")
            << QStringLiteral("is read-only for you; give your user write permission");
        QTest::newRow("read-only folder") << QStringLiteral("readonly-folder")
                                          << QStringLiteral("holding the catalog is not writable for you");
    }
    void catalogProblemsAreNamed()
    {
        if (TestCatalogs::onPostgres())
            QSKIP("a SQLite file's problems: the PostgreSQL run's are in tst_catalog");
        QFETCH(QString, problem);
        QFETCH(QString, says);
        QTemporaryDir dir;
        QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                      QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                                      QFileDevice::ExeOther | QFileDevice::ReadGroup |
                                                      QFileDevice::ExeGroup));
        const QString path = dir.filePath(QStringLiteral("catalog.sqlite"));
        const auto run = [&](bool unprivileged) {
            QProcess process;
            QStringList args{QStringLiteral("--catalog"), path, QStringLiteral("connections"),
                             QStringLiteral("list")};
            if (unprivileged && ::geteuid() == 0)
                process.start(QStringLiteral("setpriv"),
                              QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                          QStringLiteral("--clear-groups"), QStringLiteral(MC_CLI_PATH)} +
                                  args);
            else
                process.start(QStringLiteral(MC_CLI_PATH), args);
            process.waitForFinished(30000);
            return CliResult{process.exitCode(), process.exitStatus(), process.readAllStandardOutput(),
                             process.readAllStandardError()};
        };
        if (problem == QLatin1String("notadb")) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray("id,name\n1,not a catalog\n").repeated(200));
        } else {
            QCOMPARE(run(false).exitCode, 0); // a good catalog first
            if (problem == QLatin1String("newer")) {
                QSqlDatabase db =
                    QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("newer"));
                db.setDatabaseName(path);
                QVERIFY(db.open());
                QVERIFY(QSqlQuery(db).exec(QStringLiteral("UPDATE schema_version SET version = 999")));
                db.close();
                db = QSqlDatabase();
                QSqlDatabase::removeDatabase(QStringLiteral("newer"));
            } else if (problem == QLatin1String("readonly-file")) {
                QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadOther |
                                                        QFileDevice::ReadGroup));
            } else { // the file may be written, the folder not
                QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                        QFileDevice::ReadOther | QFileDevice::WriteOther));
                if (::geteuid() != 0)
                    QVERIFY(
                        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner));
            }
        }
        const bool unprivileged = problem.startsWith(QLatin1String("readonly"));
        if (unprivileged && ::geteuid() == 0) {
            // The unprivileged user must be able to reach the CLI (a checkout under /root is out of its
            // reach).
            QProcess probe;
            probe.start(QStringLiteral("setpriv"),
                        {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                         QStringLiteral("--clear-groups"), QStringLiteral(MC_CLI_PATH),
                         QStringLiteral("--version")});
            if (!probe.waitForFinished(30000) || probe.exitStatus() != QProcess::NormalExit ||
                probe.exitCode() != 0)
                QSKIP("the unprivileged user (uid 65534) cannot run the CLI from this build folder");
        }
        const CliResult r = run(unprivileged);
        QFile::setPermissions(dir.path(),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(says.toUtf8()), r.err.constData());
        QVERIFY2(!r.err.contains("is the folder writable"), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
    }

    void addTestAndList()
    {
        CliResult r = cli({QStringLiteral("connections"), QStringLiteral("add"),
                           QStringLiteral("--connector"), QStringLiteral("stripe"), QStringLiteral("--name"),
                           QStringLiteral("prod"), QStringLiteral("--config"), config()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = cli({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                 QStringLiteral("stripe"), QStringLiteral("--name"), QStringLiteral("badkey"),
                 QStringLiteral("--config"), config(QStringLiteral("sk_test_not_the_key"))});
        QCOMPARE(r.exitCode, 0);
        r = cli(
            {QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
             QStringLiteral("stripe"), QStringLiteral("--name"), QStringLiteral("offline"),
             QStringLiteral("--config"),
             QStringLiteral(
                 "{\"api_key\":\"sk_test_mako\",\"base_url\":\"http://127.0.0.1:1\",\"max_retries\":0}")});
        QCOMPARE(r.exitCode, 0);

        r = cli({QStringLiteral("connections"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 3);
        QVERIFY(!r.out.contains("sk_test"));

        r = cli({QStringLiteral("test"), QStringLiteral("prod")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("Connected to Stripe account"), r.out.constData());
        r = cli({QStringLiteral("test"), QStringLiteral("badkey")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("Invalid API key"), r.err.constData());
        QVERIFY(!r.err.contains("sk_test_not_the_key"));
        r = cli({QStringLiteral("test"), QStringLiteral("offline")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("Connection refused"), r.err.constData());
    }

    void connectionsRoundTripThroughAFile()
    {
        // Every connector's config goes out without its secrets and comes back whole, the secrets taken from
        // the environment ("env:") or kept from the importing catalog ("keychain").
        const auto run = [&](const QString &catalog, const QStringList &args,
                             const QHash<QString, QString> &vars = {}) {
            QProcess process;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("MAKO_CONNECT_SECRETS"), QStringLiteral("file"));
            for (auto it = vars.cbegin(); it != vars.cend(); ++it)
                env.insert(it.key(), it.value());
            process.setProcessEnvironment(env);
            process.setStandardInputFile(QProcess::nullDevice()); // not a terminal: nothing is asked
            process.start(QStringLiteral(MC_CLI_PATH),
                          QStringList{QStringLiteral("--catalog"), catalog} + args);
            CliResult result;
            process.waitForFinished(60000);
            result.exitCode = process.exitCode();
            result.out = process.readAllStandardOutput();
            result.err = process.readAllStandardError();
            return result;
        };
        const QString a = TestCatalogs::fresh(m_dir.filePath(QStringLiteral("team-a.sqlite")));
        const QString b = TestCatalogs::fresh(m_dir.filePath(QStringLiteral("team-b.sqlite")));
        const QString csv = m_dir.filePath(QStringLiteral("team.csv"));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("id,n\n1,2\n");
        file.close();
        const QList<QStringList> connections{
            {QStringLiteral("stripe"), QStringLiteral("Stripe prod"), config()},
            {QStringLiteral("close"), QStringLiteral("Close"),
             QStringLiteral("{\"api_key\":\"close_secret_1\"}")},
            {QStringLiteral("github"), QStringLiteral("GH"),
             QStringLiteral("{\"access_token\":\"ghp_secret_2\",\"repositories\":\"mako/connect\"}")},
            {QStringLiteral("posthog"), QStringLiteral("PH"),
             QStringLiteral("{\"api_key\":\"phx_secret_3\",\"project_id\":\"12\",\"region\":\"eu\"}")},
            {QStringLiteral("graphql"), QStringLiteral("GQL"),
             QStringLiteral("{\"base_url\":\"http://127.0.0.1:1/graphql\",\"token\":\"gql_secret_4\","
                            "\"entities\":[\"viewer\"]}")},
            {QStringLiteral("rest"), QStringLiteral("REST"),
             QStringLiteral("{\"manifest\":\"{}\",\"token\":\"rest_secret_5\"}")},
            {QStringLiteral("files"), QStringLiteral("local"), QStringLiteral("{\"path\":\"%1\"}").arg(csv)},
            {QStringLiteral("jsonplaceholder"), QStringLiteral("JP"), QStringLiteral("{}")},
        };
        for (const QStringList &c : connections) {
            const CliResult r =
                run(a, {QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                        c.at(0), QStringLiteral("--name"), c.at(1), QStringLiteral("--config"), c.at(2)});
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        CliResult r = run(a, {QStringLiteral("connections"), QStringLiteral("export")});
        QCOMPARE(r.exitCode, 0);
        const QByteArray team = r.out;
        for (const char *secret : {"sk_test_mako", "close_secret_1", "ghp_secret_2", "phx_secret_3",
                                   "gql_secret_4", "rest_secret_5"})
            QVERIFY2(!team.contains(secret), secret);
        QVERIFY2(team.contains("\"env:STRIPE_PROD_API_KEY\"") && team.contains("\"env:GH_ACCESS_TOKEN\""),
                 team.constData());
        const QString teamFile = m_dir.filePath(QStringLiteral("team.json"));
        QFile out(teamFile);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(team);
        out.close();

        // A secret the environment lacks: said, and nothing is imported.
        r = run(b, {QStringLiteral("connections"), QStringLiteral("import"), teamFile});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("is not set") && r.err.contains("nothing was imported"), r.err.constData());
        r = run(b, {QStringLiteral("connections"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 0);

        const QHash<QString, QString> secrets{
            {QStringLiteral("STRIPE_PROD_API_KEY"), QStringLiteral("sk_test_mako")},
            {QStringLiteral("CLOSE_API_KEY"), QStringLiteral("close_secret_1")},
            {QStringLiteral("GH_ACCESS_TOKEN"), QStringLiteral("ghp_secret_2")},
            {QStringLiteral("PH_API_KEY"), QStringLiteral("phx_secret_3")},
            {QStringLiteral("GQL_TOKEN"), QStringLiteral("gql_secret_4")},
            {QStringLiteral("REST_TOKEN"), QStringLiteral("rest_secret_5")}};
        r = run(b, {QStringLiteral("connections"), QStringLiteral("import"), teamFile}, secrets);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("Imported 8 connections: 8 added, 0 updated"), r.out.constData());
        const auto listed = [&](const QString &catalog) {
            QMap<QString, QJsonObject> configs;
            const QJsonArray list =
                QJsonDocument::fromJson(run(catalog, {QStringLiteral("connections"), QStringLiteral("list"),
                                                      QStringLiteral("--json")})
                                            .out)
                    .array();
            for (const QJsonValue &c : list)
                configs.insert(c[QStringLiteral("name")].toString() + QLatin1Char('/') +
                                   c[QStringLiteral("connector")].toString(),
                               c[QStringLiteral("config")].toObject());
            return configs;
        };
        QCOMPARE(listed(b), listed(a));
        // The secrets came from the environment: the same export again, and Stripe answers to its key.
        QCOMPARE(run(b, {QStringLiteral("connections"), QStringLiteral("export")}).out, team);
        r = run(b, {QStringLiteral("test"), QStringLiteral("Stripe prod")});
        QVERIFY2(r.exitCode == 0, r.err.constData());

        // "keychain": an update keeps the secrets this catalog holds.
        r = run(b, {QStringLiteral("connections"), QStringLiteral("export"), QStringLiteral("Stripe prod"),
                    QStringLiteral("GH"), QStringLiteral("--secret-refs"), QStringLiteral("keychain")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.count("\"keychain\""), 2);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(r.out);
        out.close();
        r = run(b, {QStringLiteral("connections"), QStringLiteral("import"), teamFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("2 connections: 0 added, 2 updated"), r.out.constData());
        QCOMPARE(run(b, {QStringLiteral("test"), QStringLiteral("Stripe prod")}).exitCode, 0);
        // ... and a new catalog has none to keep: said, not guessed.
        r = run(TestCatalogs::fresh(m_dir.filePath(QStringLiteral("team-c.sqlite"))),
                {QStringLiteral("connections"), QStringLiteral("import"), teamFile});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("keychain") && r.err.contains("nothing was imported"), r.err.constData());
    }

    // Numbers that cannot work are refused before anything is saved, naming the field and its range.
    void settingsThatCannotWorkAreRefused_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("no timeout") << QStringLiteral("timeout_ms") << 0
                                    << QStringLiteral(
                                           "timeout_ms: must be from 1000 to 600000 (0 was given)");
        QTest::newRow("too many retries")
            << QStringLiteral("max_retries") << 50
            << QStringLiteral("max_retries: must be from 0 to 20 (50 was given)");
        QTest::newRow("empty pages") << QStringLiteral("batch_size") << 0
                                     << QStringLiteral("batch_size: must be from 1 to 100 (0 was given)");
        QTest::newRow("pages larger than Stripe gives")
            << QStringLiteral("batch_size") << 500
            << QStringLiteral("batch_size: must be from 1 to 100 (500 was given)");
        QTest::newRow("no wait at all")
            << QStringLiteral("longest_wait_s") << 0
            << QStringLiteral("longest_wait_s: must be from 1 to 86400 (0 was given)");
    }
    void settingsThatCannotWorkAreRefused()
    {
        QFETCH(QString, field);
        QFETCH(int, value);
        QFETCH(QString, message);
        QJsonObject config = QJsonDocument::fromJson(this->config().toUtf8()).object();
        config.insert(field, value);
        const CliResult r =
            cli({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                 QStringLiteral("stripe"), QStringLiteral("--name"), QStringLiteral("refused"),
                 QStringLiteral("--config"),
                 QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact))});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.trimmed(), message.toUtf8());
    }

    // A wait the API asks for is a state: the CLI says so as it starts, in text and JSON, with why and until
    // when, and Ctrl-C still stops it.
    void waitingIsShownAsItHappens_data()
    {
        QTest::addColumn<QString>("progress");
        QTest::newRow("json") << QStringLiteral("json");
        QTest::newRow("text") << QStringLiteral("text");
    }
    void waitingIsShownAsItHappens()
    {
        QFETCH(QString, progress);
        m_server.setRateLimitEvery(1, 30);
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels); // text progress is on stderr
        process.start(QStringLiteral(MC_CLI_PATH),
                      {QStringLiteral("--catalog"), m_catalog, QStringLiteral("sync"), QStringLiteral("prod"),
                       QStringLiteral("--entity"), QStringLiteral("products"), QStringLiteral("--progress"),
                       progress});
        QByteArray seen;
        const QByteArray marker =
            progress == QLatin1String("json") ? "\"state\":\"waiting\"" : "products: waiting ";
        while (!seen.contains(marker) && process.waitForReadyRead(15000))
            seen += process.readAll();
        m_server.setRateLimitEvery(0, 1);
        QVERIFY2(process.state() == QProcess::Running, seen.constData());
        ::kill(pid_t(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitCode(), 130);
        QVERIFY2(seen.contains(marker), seen.constData());
        if (progress == QLatin1String("json")) {
            const qsizetype at = seen.indexOf(marker);
            const qsizetype start = seen.lastIndexOf('\n', at) + 1;
            const QJsonObject line =
                QJsonDocument::fromJson(seen.mid(start, seen.indexOf('\n', at) - start)).object();
            QCOMPARE(line.value(QStringLiteral("wait_reason")).toString(),
                     QStringLiteral("rate limit (HTTP 429)"));
            const QDateTime until =
                QDateTime::fromString(line.value(QStringLiteral("wait_until")).toString(), Qt::ISODate);
            QVERIFY2(until > QDateTime::currentDateTimeUtc().addSecs(10) &&
                         until <= QDateTime::currentDateTimeUtc().addSecs(31),
                     qPrintable(line.value(QStringLiteral("wait_until")).toString()));
        } else {
            QVERIFY2(seen.contains(" — Stripe rate limit (HTTP 429), until "), seen.constData());
        }
    }

    // After a failure the CLI says what to do next, true for that failure: a refused key is fixed first, a
    // request the API refuses will fail again as it is, and only a transient failure is "run it again".
    void theNextStepFitsTheFailure_data()
    {
        QTest::addColumn<QString>("connection");
        QTest::addColumn<int>("failWith");
        QTest::addColumn<QString>("says");
        QTest::newRow("refused key") << QStringLiteral("badkey") << 0
                                     << QStringLiteral(
                                            "Fix the key first (`mako-connect-cli connections set-secret "
                                            "\"badkey\"`), then run the same command again");
        QTest::newRow("bad request") << QStringLiteral("prod") << 400
                                     << QStringLiteral("Running it again as it is will fail the same way");
        QTest::newRow("unreachable") << QStringLiteral("offline") << 0
                                     << QStringLiteral(
                                            "Running the same command again resumes the failed entities");
    }
    void theNextStepFitsTheFailure()
    {
        QFETCH(QString, connection);
        QFETCH(int, failWith);
        QFETCH(QString, says);
        if (failWith)
            m_server.failNext(1, failWith);
        const CliResult r = cli({QStringLiteral("sync"), connection, QStringLiteral("--entity"),
                                 QStringLiteral("products"), QStringLiteral("--restart")});
        m_server.failNext(0);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(says.toUtf8()), r.err.constData());
        const QStringList others{QStringLiteral("Fix the key first"),
                                 QStringLiteral("will fail the same way"),
                                 QStringLiteral("resumes the failed entities")};
        for (const QString &other : others) {
            if (!says.contains(other))
                QVERIFY2(!r.err.contains(other.toUtf8()), r.err.constData());
        }
    }

    // A server that never answers: the sync fails after the timeout with our message, and none of Qt's
    // internal warnings reach the terminal.
    void aServerThatNeverAnswersSaysSoAndNothingElse()
    {
        QJsonObject config = QJsonDocument::fromJson(this->config().toUtf8()).object();
        config.insert(QStringLiteral("timeout_ms"), 1000);
        config.insert(QStringLiteral("max_retries"), 0);
        CliResult r = cli({QStringLiteral("connections"), QStringLiteral("add"),
                           QStringLiteral("--connector"), QStringLiteral("stripe"), QStringLiteral("--name"),
                           QStringLiteral("silent"), QStringLiteral("--config"),
                           QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact))});
        QCOMPARE(r.exitCode, 0);
        m_server.setLatencyMs(5000);
        r = cli({QStringLiteral("sync"), QStringLiteral("silent"), QStringLiteral("--entity"),
                 QStringLiteral("products")});
        m_server.setLatencyMs(0);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("No answer within 1 s"), r.err.constData());
        QVERIFY2(!r.err.contains("QIODevice") && !r.err.contains("QNetwork"), r.err.constData());
        QVERIFY2(r.err.contains("Running the same command again resumes"), r.err.constData());
    }

    // The API asks for an hour; the connection allows 15 minutes: the sync fails at once and says how to
    // allow it, instead of waiting in silence or spending retries.
    void aWaitLongerThanAllowedFailsAtOnce()
    {
        m_server.setRateLimitEvery(1, 3600);
        const CliResult r = cli({QStringLiteral("sync"), QStringLiteral("prod"), QStringLiteral("--entity"),
                                 QStringLiteral("products")});
        m_server.setRateLimitEvery(0, 1);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("the API asks to wait 60 min before the next request, longer than this "
                                "connection's longest wait; raise \"Longest wait\" (longest_wait_s"),
                 r.err.constData());
        QVERIFY2(!r.err.contains("Raise \"Delay between requests\""), r.err.constData());
    }

    void syncUnknownEntityExitsTwo()
    {
        const CliResult r = cli({QStringLiteral("sync"), QStringLiteral("prod"), QStringLiteral("--entity"),
                                 QStringLiteral("widgets")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("Unknown entity \"widgets\""));
    }

    // --entity NAME=MODE: one run, each entity in its own mode, and the run says it was mixed.
    void eachEntityTakesItsOwnMode()
    {
        const CliResult r =
            cli({QStringLiteral("sync"), QStringLiteral("prod"), QStringLiteral("--entity"),
                 QStringLiteral("products=incremental"), QStringLiteral("--entity"),
                 QStringLiteral("prices=full"), QStringLiteral("--progress"), QStringLiteral("none")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        Catalog catalog(m_catalog);
        qint64 id = 0;
        for (const ConnectionInfo &connection : catalog.connections())
            id = connection.name == QLatin1String("prod") ? connection.id : id;
        QCOMPARE(catalog.entityState(id, QStringLiteral("products"))->mode, QStringLiteral("incremental"));
        QCOMPARE(catalog.entityState(id, QStringLiteral("prices"))->mode, QStringLiteral("full"));
        QCOMPARE(catalog.latestRun(id)->mode, QStringLiteral("mixed"));
    }

    void syncWithJsonProgressRecordsAndSql()
    {
        const CliResult r =
            cli({QStringLiteral("sync"), QStringLiteral("prod"), QStringLiteral("--entity"),
                 QStringLiteral("products"), QStringLiteral("--progress"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QVERIFY(!lines.isEmpty());
        for (const QByteArray &line : lines) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            QVERIFY2(
                object.contains(QStringLiteral("entity")) && object.contains(QStringLiteral("processed")) &&
                    object.contains(QStringLiteral("total")) && object.contains(QStringLiteral("pages")) &&
                    object.contains(QStringLiteral("rate")) && object.contains(QStringLiteral("state")),
                line.constData());
        }
        const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
        QCOMPARE(last.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
        QCOMPARE(last.value(QStringLiteral("processed")).toInt(), 30);

        CliResult records = cli({QStringLiteral("records"), QStringLiteral("prod"),
                                 QStringLiteral("products"), QStringLiteral("--limit"), QStringLiteral("3")});
        QCOMPARE(records.exitCode, 0);
        const QList<QByteArray> jsonl = records.out.trimmed().split('\n');
        QCOMPARE(jsonl.size(), 3);
        const QByteArray sent =
            m_server.recordJson(QStringLiteral("products"), QStringLiteral("prod_0000000001"));
        if (TestCatalogs::onPostgres()) // JSONB keeps every member and value, in an order of its own
            QCOMPARE(QJsonDocument::fromJson(jsonl.first()), QJsonDocument::fromJson(sent));
        else
            QCOMPARE(jsonl.first(), sent);
        QCOMPARE(jsonl.first().size(), sent.size()); // and as compact

        records = cli({QStringLiteral("records"), QStringLiteral("prod"), QStringLiteral("products"),
                       QStringLiteral("--format"), QStringLiteral("csv")});
        QCOMPARE(records.exitCode, 0);
        const QList<QByteArray> csv = records.out.trimmed().split('\n');
        QCOMPARE(csv.size(), 31);
        QVERIFY(csv.first().startsWith("id,"));

        CliResult sql =
            cli({QStringLiteral("sql"), QStringLiteral("SELECT count(*) AS n FROM prod__products")});
        QVERIFY2(sql.exitCode == 0, sql.err.constData());
        QCOMPARE(sql.out, QByteArray("n\n30\n"));
        sql = cli({QStringLiteral("sql"), QStringLiteral("DELETE FROM records")});
        QCOMPARE(sql.exitCode, 1);
        QVERIFY2(sql.err.contains("read-only") || sql.err.contains("readonly"), sql.err.constData());
        QCOMPARE(catalogKeys(QStringLiteral("products")).size(), 30);
        sql = cli({QStringLiteral("sql"), QStringLiteral("SELECT 1; DELETE FROM records")});
        QCOMPARE(sql.exitCode, 1);
        QVERIFY2(sql.err.contains("Only one statement at a time"), sql.err.constData());
        if (!TestCatalogs::onPostgres()) {
            sql = cli({QStringLiteral("sql"), QStringLiteral("ATTACH DATABASE '/tmp/x.db' AS x")});
            QCOMPARE(sql.exitCode, 1);
            QVERIFY2(sql.err.contains("PRAGMA, ATTACH and writes are not allowed"), sql.err.constData());
        }
        QCOMPARE(catalogKeys(QStringLiteral("products")).size(), 30);

        const CliResult runs =
            cli({QStringLiteral("runs"), QStringLiteral("prod"), QStringLiteral("--json")});
        QCOMPARE(runs.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(runs.out)
                     .array()
                     .first()
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("done"));
    }

    // Schedules by a test clock (--now): only what is due runs, a missed firing runs once, a connection
    // syncing elsewhere is skipped and stays due, and bad schedules are refused saying why.
    void scheduledSyncsRunWhenDue()
    {
        FakeStripeServer server;
        QVERIFY(server.start());
        server.seed(QStringLiteral("products"), 5);
        const QString saved = m_catalog;
        QTemporaryDir dir;
        m_catalog = TestCatalogs::fresh(dir.filePath(QStringLiteral("scheduled.sqlite")));
        const auto restore = qScopeGuard([&] { m_catalog = saved; });
        const QString config = QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("api_key"), QStringLiteral("sk_test_mako")},
                                      {QStringLiteral("base_url"), server.baseUrl().toString()}})
                .toJson(QJsonDocument::Compact));
        for (const char *name : {"hourly", "nightly", "manual"}) {
            const CliResult added =
                cli({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                     QStringLiteral("stripe"), QStringLiteral("--name"), QLatin1String(name),
                     QStringLiteral("--config"), config});
            QVERIFY2(added.exitCode == 0, added.err.constData());
        }
        const auto runCount = [&](const QString &name) {
            const CliResult runs = cli({QStringLiteral("runs"), name, QStringLiteral("--json")});
            return QJsonDocument::fromJson(runs.out).array().size();
        };
        const auto at = [](const QDateTime &t) { return t.toUTC().toString(Qt::ISODate); };
        const auto due = [&](const QDateTime &now) {
            return cli({QStringLiteral("sync"), QStringLiteral("--due"), QStringLiteral("--now"), at(now)});
        };
        // Whole seconds, as --now passes it: hourly's firing at t0 makes it due again at t0 + 1 h exactly.
        QDateTime t0 = QDateTime::currentDateTimeUtc();
        t0 = t0.addMSecs(-t0.time().msec());

        CliResult r = cli({QStringLiteral("schedule"), QStringLiteral("hourly"), QStringLiteral("--every"),
                           QStringLiteral("1h"), QStringLiteral("--now"), at(t0)});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("hourly: every 1 h; due now"), r.out.constData());
        r = cli({QStringLiteral("schedule"), QStringLiteral("nightly"), QStringLiteral("--cron"),
                 QStringLiteral("0 3 * * *"), QStringLiteral("--tz"), QStringLiteral("Europe/Paris"),
                 QStringLiteral("--now"), at(t0)});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("nightly: cron 0 3 * * * (Europe/Paris); next run "), r.out.constData());
        QString error;
        const QDateTime paris3 =
            CronExpression::parse(QStringLiteral("0 3 * * *"), &error)->next(t0, QTimeZone("Europe/Paris"));

        // Only hourly is due (it never ran); manual has no schedule.
        r = due(t0);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("hourly: due since"), r.err.constData());
        QCOMPARE(runCount(QStringLiteral("hourly")), 1);
        QCOMPARE(runCount(QStringLiteral("nightly")), 0);
        QCOMPARE(runCount(QStringLiteral("manual")), 0);
        // Half an hour on, nothing is (unless 3:00 in Paris comes within it); the next time is said.
        r = due(t0.addSecs(1800));
        QCOMPARE(r.exitCode, 0);
        if (paris3 > t0.addSecs(1800))
            QVERIFY2(r.err.contains("Nothing is due; the next scheduled sync is at"), r.err.constData());
        QCOMPARE(runCount(QStringLiteral("hourly")), 1);
        // Past 3:00 in Paris nightly is due (hourly too, unless that is within the hour), each once; a
        // minute later neither is again.
        r = due(paris3.addSecs(60));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(runCount(QStringLiteral("nightly")), 1);
        QCOMPARE(runCount(QStringLiteral("hourly")), paris3.addSecs(60) >= t0.addSecs(3600) ? 2 : 1);
        r = due(paris3.addSecs(120));
        const bool hourlyDueBetween =
            paris3.addSecs(60) < t0.addSecs(3600) && paris3.addSecs(120) >= t0.addSecs(3600);
        if (!hourlyDueBetween) // hourly's own hour may end in that minute
            QVERIFY2(r.err.contains("Nothing is due"), r.err.constData());
        QCOMPARE(runCount(QStringLiteral("nightly")), 1);

        // Syncing in another process: skipped, and still due after.
        server.setLatencyMs(1500);
        QProcess other;
        other.start(QStringLiteral(MC_CLI_PATH), {QStringLiteral("--catalog"), m_catalog,
                                                  QStringLiteral("sync"), QStringLiteral("hourly")});
        QVERIFY(other.waitForStarted());
        QByteArray seen;
        while (!seen.contains("starting") && other.state() == QProcess::Running) {
            other.waitForReadyRead(1000);
            seen += other.readAllStandardError();
        }
        const QDateTime later = paris3.addSecs(2 * 3600);
        r = due(later);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("hourly: skipped: \"hourly\" is already syncing in another process"),
                 r.err.constData());
        QVERIFY(other.waitForFinished(120000));
        QCOMPARE(other.exitCode(), 0);
        server.setLatencyMs(0);
        const int before = runCount(QStringLiteral("hourly"));
        r = due(later);
        QVERIFY2(r.err.contains("hourly: due since"), r.err.constData());
        QCOMPARE(runCount(QStringLiteral("hourly")), before + 1);

        // Refused, saying why; --off removes a schedule.
        r = cli({QStringLiteral("schedule"), QStringLiteral("hourly"), QStringLiteral("--every"),
                 QStringLiteral("30s")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("from 1 minute to 366 days"), r.err.constData());
        r = cli({QStringLiteral("schedule"), QStringLiteral("hourly"), QStringLiteral("--cron"),
                 QStringLiteral("61 * * * *")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("minute field \"61\" is outside 0–59"), r.err.constData());
        r = cli({QStringLiteral("schedule"), QStringLiteral("hourly"), QStringLiteral("--every"),
                 QStringLiteral("1h"), QStringLiteral("--tz"), QStringLiteral("UTC")});
        QCOMPARE(r.exitCode, 2);
        r = cli({QStringLiteral("schedule"), QStringLiteral("hourly"), QStringLiteral("--off")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("hourly: not scheduled"), r.out.constData());
        r = cli({QStringLiteral("schedule"), QStringLiteral("nightly")});
        QVERIFY2(r.out.contains("nightly: cron 0 3 * * * (Europe/Paris)"), r.out.constData());
    }

    // Workers (I7): three sync one catalog (SQLite, or PostgreSQL as tst_cli_workers_postgresql) at once,
    // two are killed with SIGKILL mid-sync and two more take over; every record set is exact, each connection
    // was synced by one process at a time, and each run names its process.
    void workersShareACatalogAndSurviveKills()
    {
        FakeStripeServer server;
        QVERIFY(server.start());
        server.seed(QStringLiteral("customers"), 3000);
        server.setLatencyMs(50); // 30 pages a connection, 1.5 s: time for kills to land mid-sync
        const QString saved = m_catalog;
        QTemporaryDir dir;
        m_catalog = TestCatalogs::fresh(dir.filePath(QStringLiteral("shared.sqlite")));
        const auto restore = qScopeGuard([&] { m_catalog = saved; });
        const QString config = QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("api_key"), QStringLiteral("sk_test_mako")},
                                      {QStringLiteral("base_url"), server.baseUrl().toString()}})
                .toJson(QJsonDocument::Compact));
        for (int i = 1; i <= 6; ++i) {
            const QString name = QStringLiteral("w%1").arg(i);
            QCOMPARE(cli({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                          QStringLiteral("stripe"), QStringLiteral("--name"), name,
                          QStringLiteral("--config"), config})
                         .exitCode,
                     0);
            QCOMPARE(cli({QStringLiteral("schedule"), name, QStringLiteral("--every"), QStringLiteral("6h")})
                         .exitCode,
                     0);
        }
        // Two machines: workers a and d in this home, b, c and e in another, which gets the connections'
        // secrets as a teammate would, importing the team's file with the keys in its environment.
        QTemporaryDir otherHome;
        const QProcessEnvironment here = QProcessEnvironment::systemEnvironment();
        QProcessEnvironment there = homeAt(otherHome.path());
        const CliResult exported = cli({QStringLiteral("connections"), QStringLiteral("export")});
        QVERIFY2(exported.exitCode == 0 && !exported.out.contains("sk_test_mako"), exported.err.constData());
        QFile team(dir.filePath(QStringLiteral("team.json")));
        QVERIFY(team.open(QIODevice::WriteOnly) && team.write(exported.out) == exported.out.size());
        team.close();
        QProcessEnvironment importing = there;
        for (int i = 1; i <= 6; ++i)
            importing.insert(QStringLiteral("W%1_API_KEY").arg(i), QStringLiteral("sk_test_mako"));
        const CliResult imported = cli(
            {QStringLiteral("connections"), QStringLiteral("import"), team.fileName()}, 120000, importing);
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        QList<qint64> pids; // a finished QProcess forgets its pid
        const auto startWorker = [&](QProcess &worker, const QProcessEnvironment &env) {
            worker.setProcessEnvironment(env);
            worker.start(QStringLiteral(MC_CLI_PATH),
                         {QStringLiteral("--catalog"), m_catalog, QStringLiteral("worker"),
                          QStringLiteral("--concurrency"), QStringLiteral("2"), QStringLiteral("--poll"),
                          QStringLiteral("1")});
            const bool started = worker.waitForStarted();
            pids.append(worker.processId());
            return started;
        };
        Catalog catalog(m_catalog);
        QVERIFY2(catalog.isOpen(), qPrintable(catalog.errorString()));
        QProcess a, b, c, d, e;
        QVERIFY(startWorker(a, here));
        QVERIFY(startWorker(b, there));
        QVERIFY(startWorker(c, there));
        // Kill two workers, each while a run of its own is saving records (which two is the workers' race).
        QList<QProcess *> live{&a, &b, &c};
        const auto syncingWorker = [&]() -> QProcess * {
            for (const ConnectionInfo &connection : catalog.connections()) {
                const auto run = catalog.latestRun(connection.id);
                if (!run || run->status != QLatin1String("running") || run->records == 0)
                    continue;
                for (QProcess *worker : std::as_const(live)) {
                    if (worker->processId() == run->pid)
                        return worker;
                }
            }
            return nullptr;
        };
        for (int kills = 0; kills < 2; ++kills) {
            QProcess *victim = nullptr;
            QTRY_VERIFY_WITH_TIMEOUT((victim = syncingWorker()) != nullptr, 60000);
            ::kill(pid_t(victim->processId()), SIGKILL);
            QVERIFY(victim->waitForFinished(10000));
            live.removeOne(victim);
        }
        QVERIFY(startWorker(d, here));
        QVERIFY(startWorker(e, there));
        // Every connection ends done, by whichever worker is left.
        const auto allDone = [&] {
            for (const ConnectionInfo &connection : catalog.connections()) {
                const auto last = catalog.latestRun(connection.id);
                if (!last || last->status != QLatin1String("done"))
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allDone(), 120000);
        QStringList expected = server.ids(QStringLiteral("customers"));
        expected.sort();
        const auto keysOf = [&](qint64 connectionId, const QString &entity) {
            QStringList keys;
            QSqlQuery q(catalog.database());
            q.prepare(
                QStringLiteral("SELECT record_key FROM records WHERE connection_id = ? AND entity = ?"));
            q.addBindValue(connectionId);
            q.addBindValue(entity);
            q.exec();
            while (q.next())
                keys.append(q.value(0).toString());
            keys.sort();
            return keys;
        };
        int resumed = 0;
        QCOMPARE(catalog.connections().size(), 6);
        for (const ConnectionInfo &connection : catalog.connections()) {
            QCOMPARE(keysOf(connection.id, QStringLiteral("customers")),
                     expected); // exact: none lost, none twice
            QList<RunInfo> runs = catalog.runs(connection.id);
            std::reverse(runs.begin(), runs.end()); // oldest first
            for (int i = 0; i < runs.size(); ++i) {
                const RunInfo &run = runs.at(i);
                QVERIFY2(pids.contains(run.pid), qPrintable(QString::number(run.pid)));
                QCOMPARE(run.host, QSysInfo::machineHostName());
                // One process at a time: a run starts only after the one before it stopped.
                if (i > 0) {
                    const RunInfo &before = runs.at(i - 1);
                    QVERIFY2(before.status == QLatin1String("interrupted"), qPrintable(before.status));
                    QVERIFY(run.startedAt >= before.finishedAt);
                    ++resumed;
                }
            }
        }
        QVERIFY(resumed >= 2); // each kill cut a run short, and another worker resumed it
        // SIGTERM: a clean stop.
        for (QProcess *worker : live + QList<QProcess *>{&d, &e}) {
            ::kill(pid_t(worker->processId()), SIGTERM);
            QVERIFY(worker->waitForFinished(30000));
            QCOMPARE(worker->exitStatus(), QProcess::NormalExit);
            QCOMPARE(worker->exitCode(), 0);
        }
        QVERIFY2(e.readAllStandardError().contains("Stopping"), "no stop line");
    }

    // `sql` on a PostgreSQL catalog (tst_cli_workers_postgresql): rows of the typed views; nothing that
    // writes, not even behind a COMMIT, gets through.
    void sqlOnAPostgresCatalogOnlyReads()
    {
        if (!TestCatalogs::onPostgres())
            QSKIP("runs against the PostgreSQL server of tests/with-postgres.sh");
        const QString saved = m_catalog;
        QTemporaryDir dir;
        m_catalog = TestCatalogs::fresh(dir.filePath(QStringLiteral("unused.sqlite")));
        const auto restore = qScopeGuard([&] { m_catalog = saved; });
        QFile csv(dir.filePath(QStringLiteral("orders.csv")));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("id,amount\n1,9.5\n2,10\n3,100.25\n");
        csv.close();
        QCOMPARE(cli({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                      QStringLiteral("files"), QStringLiteral("--name"), QStringLiteral("orders"),
                      QStringLiteral("--config"), QStringLiteral("{\"path\":\"%1\"}").arg(csv.fileName())})
                     .exitCode,
                 0);
        const CliResult synced = cli({QStringLiteral("sync"), QStringLiteral("orders")});
        QVERIFY2(synced.exitCode == 0, synced.err.constData());
        CliResult r = cli({QStringLiteral("sql"),
                           QStringLiteral("SELECT id, amount FROM orders__orders ORDER BY amount;")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out, QByteArray("id,amount\n1,9.5\n2,10\n3,100.25\n")); // numbers, in numeric order
        r = cli({QStringLiteral("sql"), QStringLiteral("DELETE FROM records")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("read-only"), r.err.constData());
        r = cli({QStringLiteral("sql"), QStringLiteral("SELECT 1; COMMIT; DELETE FROM records")});
        QCOMPARE(r.exitCode, 1);
        r = cli({QStringLiteral("sql"), QStringLiteral("SELECT count(*) FROM records")});
        QCOMPARE(r.out, QByteArray("count\n3\n"));
    }

    void sigtermExits130AndKeepsState()
    {
        m_server.setLatencyMs(30); // 100 pages take at least 3 s: time to stop it midway
        QProcess process;
        process.start(QStringLiteral(MC_CLI_PATH),
                      {QStringLiteral("--catalog"), m_catalog, QStringLiteral("sync"), QStringLiteral("prod"),
                       QStringLiteral("--entity"), QStringLiteral("customers"), QStringLiteral("--progress"),
                       QStringLiteral("json")});
        QVERIFY(process.waitForStarted());
        // Wait until some records are in, then ask politely.
        QByteArray seen;
        while (!seen.contains("\"pages\":2") && process.state() == QProcess::Running) {
            process.waitForReadyRead(1000);
            seen += process.readAllStandardOutput();
        }
        QVERIFY2(process.state() == QProcess::Running,
                 (seen + process.readAllStandardError() + " exit " + QByteArray::number(process.exitCode()) +
                  " status " + QByteArray::number(int(process.exitStatus())))
                     .constData());
        ::kill(pid_t(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 130);
        // What was committed before the signal is kept, and the next sync resumes rather than restarts.
        const qsizetype kept = catalogKeys(QStringLiteral("customers")).size();
        QVERIFY2(kept > 0 && kept < 10000, qPrintable(QString::number(kept)));
        m_server.setLatencyMs(0);
    }

    // The "done when": three entities of 10,000, killed with SIGKILL mid-sync several times, rerun,
    // exactly 30,000 records with no duplicates.
    void crashTestKillNineAndResume()
    {
        m_server.setLatencyMs(10);
        const QStringList args{QStringLiteral("--catalog"),  m_catalog,
                               QStringLiteral("sync"),       QStringLiteral("prod"),
                               QStringLiteral("--entity"),   QStringLiteral("customers"),
                               QStringLiteral("--entity"),   QStringLiteral("charges"),
                               QStringLiteral("--entity"),   QStringLiteral("invoices"),
                               QStringLiteral("--progress"), QStringLiteral("json")};
        int kills = 0;
        for (int round = 0; round < 3; ++round) {
            QProcess process;
            process.start(QStringLiteral(MC_CLI_PATH), args);
            QVERIFY(process.waitForStarted());
            // Kill further into the sync each round (processed counts include earlier rounds' commits), so
            // the kills land mid-chunk, mid-commit, anywhere, and every round resumes from the last.
            const qint64 target = (round + 1) * 4000;
            QHash<QString, qint64> processed;
            QByteArray buffer;
            qint64 sum = 0;
            while (process.state() == QProcess::Running && sum < target) {
                if (!process.waitForReadyRead(200))
                    continue;
                buffer += process.readAllStandardOutput();
                qsizetype end;
                while ((end = buffer.indexOf('\n')) >= 0) {
                    const QJsonObject line = QJsonDocument::fromJson(buffer.left(end)).object();
                    buffer.remove(0, end + 1);
                    processed.insert(line.value(QStringLiteral("entity")).toString(),
                                     line.value(QStringLiteral("processed")).toInteger());
                }
                sum = 0;
                for (qint64 n : std::as_const(processed))
                    sum += n;
            }
            if (process.state() == QProcess::Running) {
                ::kill(pid_t(process.processId()), SIGKILL);
                ++kills;
            }
            QVERIFY(process.waitForFinished(30000));
        }
        QCOMPARE(kills, 3);
        m_server.setLatencyMs(0);
        const CliResult r = cli(QStringList{QStringLiteral("sync"), QStringLiteral("prod"),
                                            QStringLiteral("--entity"), QStringLiteral("customers"),
                                            QStringLiteral("--entity"), QStringLiteral("charges"),
                                            QStringLiteral("--entity"), QStringLiteral("invoices")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        for (const QString &entity :
             {QStringLiteral("customers"), QStringLiteral("charges"), QStringLiteral("invoices")})
            QCOMPARE(catalogKeys(entity), sortedServerIds(entity));
        int total = 0;
        for (const QString &entity :
             {QStringLiteral("customers"), QStringLiteral("charges"), QStringLiteral("invoices")})
            total += int(catalogKeys(entity).size());
        QCOMPARE(total, 30000);
        // The killed runs show as interrupted in the history.
        const CliResult runs =
            cli({QStringLiteral("runs"), QStringLiteral("prod"), QStringLiteral("--json")});
        QVERIFY(runs.out.contains("\"interrupted\""));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
