// Secrets in a real Secret Service: gnome-keyring, unlocked in a D-Bus session of this test's own
// (tests/with-keyring.sh). The app's store writes, reads back and deletes; a new catalog chooses the
// keychain; the secret is then in neither the catalog nor a secrets file; the CLI moves secrets both ways.
#include "catalog.h"
#include "connectorregistry.h"
#include "secretlocation.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestKeychain : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    struct Run
    {
        int code = -1;
        QString out;
        QString err;
    };
    Run cli(const QString &catalog, const QStringList &args, const QByteArray &input = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("MAKO_CONNECT_SECRETS"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(MC_CLI_PATH), QStringList{QStringLiteral("--catalog"), catalog} + args);
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(60000))
            return {};
        return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

    // What gnome-keyring holds under QtKeychain's attributes, read by libsecret's own tool, not by the app.
    static QString keyringLookup(const QString &catalog, const QString &key)
    {
        QProcess tool;
        tool.start(QStringLiteral("secret-tool"),
                   {QStringLiteral("lookup"), QStringLiteral("server"), QStringLiteral("Mako Connect"),
                    QStringLiteral("user"), QFileInfo(catalog).absoluteFilePath() + QLatin1Char('#') + key});
        tool.waitForFinished(30000);
        return QString::fromUtf8(tool.readAllStandardOutput());
    }

    static QByteArray fileBytes(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"),
                 "run through tests/with-keyring.sh, which starts the session bus and gnome-keyring");
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("secret-tool")).isEmpty(),
                 "secret-tool is missing (apt-get install libsecret-tools)");
        QString why;
        QVERIFY2(keychainAnswers(&why), qPrintable(why));
        registerBuiltinConnectors();
    }

    void storeWritesReadsBackAndDeletes()
    {
        const QString catalog = m_dir.filePath(QStringLiteral("store.sqlite"));
        QString error;
        std::unique_ptr<SecretStore> store = createSecretStore(SecretBackend::Keychain, catalog, &error);
        QVERIFY2(store, qPrintable(error));
        QCOMPARE(store->backendName(), QStringLiteral("keychain"));
        const QString key = SecretStore::keyFor(7, QStringLiteral("api_key"));
        QVERIFY2(store->write(key, QStringLiteral("sk_live_written_by_test"), &error), qPrintable(error));
        QCOMPARE(store->read(key, &error), QStringLiteral("sk_live_written_by_test"));
        QCOMPARE(keyringLookup(catalog, key), QStringLiteral("sk_live_written_by_test"));
        QVERIFY2(store->remove(key, &error), qPrintable(error));
        QCOMPARE(store->read(key, &error), QString());
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(keyringLookup(catalog, key), QString());
    }

    void newCatalogKeepsSecretsInTheKeychainOnly()
    {
        const QString catalog = m_dir.filePath(QStringLiteral("new.sqlite"));
        const QString secret = QStringLiteral("sk_test_keychain_only_4242");
        const Run add =
            cli(catalog, {QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                          QStringLiteral("stripe"), QStringLiteral("--name"), QStringLiteral("billing"),
                          QStringLiteral("--config"), QStringLiteral("{\"api_key\":\"%1\"}").arg(secret)});
        QVERIFY2(add.code == 0, qPrintable(add.err));
        QVERIFY2(!add.err.contains(QStringLiteral("No system keychain")), qPrintable(add.err));
        const Run status = cli(catalog, {QStringLiteral("secrets"), QStringLiteral("status")});
        QCOMPARE(status.out.trimmed(), QStringLiteral("keychain: the system keychain"));

        Catalog opened(catalog);
        const auto connection = opened.connection(QStringLiteral("billing"));
        QVERIFY(connection);
        const QString key = SecretStore::keyFor(connection->id, QStringLiteral("api_key"));
        QCOMPARE(keyringLookup(catalog, key), secret);
        QVERIFY(!QFile::exists(FileSecretStore::defaultPathFor(catalog)));
        for (const QString &file : {catalog, catalog + QStringLiteral("-wal")})
            QVERIFY2(!fileBytes(file).contains(secret.toUtf8()), qPrintable(file));

        // Removing the connection removes its secret from the keychain too.
        const Run removed = cli(
            catalog, {QStringLiteral("connections"), QStringLiteral("remove"), QStringLiteral("billing")});
        QVERIFY2(removed.code == 0, qPrintable(removed.err));
        QCOMPARE(keyringLookup(catalog, key), QString());
    }

    void cliMovesSecretsBothWays()
    {
        const QString catalog = m_dir.filePath(QStringLiteral("moved.sqlite"));
        const QString secretsFile = FileSecretStore::defaultPathFor(catalog);
        const Run add =
            cli(catalog, {QStringLiteral("--secrets"), QStringLiteral("file"), QStringLiteral("connections"),
                          QStringLiteral("add"), QStringLiteral("--connector"), QStringLiteral("close"),
                          QStringLiteral("--name"), QStringLiteral("crm"), QStringLiteral("--config"),
                          QStringLiteral("{\"api_key\":\"api_close_moving_secret\"}")});
        QVERIFY2(add.code == 0, qPrintable(add.err));
        QVERIFY(fileBytes(secretsFile).contains("api_close_moving_secret"));

        const Run toKeychain = cli(catalog, {QStringLiteral("secrets"), QStringLiteral("migrate"),
                                             QStringLiteral("--to"), QStringLiteral("keychain")});
        QVERIFY2(toKeychain.code == 0, qPrintable(toKeychain.err));
        QCOMPARE(toKeychain.out.trimmed(), QStringLiteral("Moved 1 secret to the system keychain"));
        QVERIFY(!QFile::exists(secretsFile));
        Catalog opened(catalog);
        const QString key =
            SecretStore::keyFor(opened.connection(QStringLiteral("crm"))->id, QStringLiteral("api_key"));
        QCOMPARE(keyringLookup(catalog, key), QStringLiteral("api_close_moving_secret"));
        const Run status = cli(catalog, {QStringLiteral("secrets"), QStringLiteral("status")});
        QCOMPARE(status.out.trimmed(), QStringLiteral("keychain: the system keychain"));

        const Run toFile = cli(catalog, {QStringLiteral("secrets"), QStringLiteral("migrate"),
                                         QStringLiteral("--to"), QStringLiteral("file")});
        QVERIFY2(toFile.code == 0, qPrintable(toFile.err));
        QVERIFY(fileBytes(secretsFile).contains("api_close_moving_secret"));
        QCOMPARE(keyringLookup(catalog, key), QString());
        const Run again = cli(catalog, {QStringLiteral("secrets"), QStringLiteral("migrate"),
                                        QStringLiteral("--to"), QStringLiteral("file")});
        QCOMPARE(again.out.trimmed(),
                 QStringLiteral("The secrets are already in the file %1").arg(secretsFile));
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
