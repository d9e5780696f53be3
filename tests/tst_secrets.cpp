// Where a catalog's secrets live, without a keychain: the choice a new catalog records, the file store kept
// for catalogs from before the choice, and a move between stores that loses nothing when it stops half-way.
// tst_keychain covers the same against a real Secret Service.
#include "catalog.h"
#include "connectorregistry.h"
#include "secretlocation.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {
// A keychain stand-in that can refuse its Nth write, as a keychain that locks or a process killed half-way
// through a move would leave things.
class MemoryStore : public SecretStore
{
public:
    QString backendName() const override { return QStringLiteral("keychain"); }
    QString read(const QString &key, QString *) override { return values.value(key); }
    bool write(const QString &key, const QString &value, QString *error) override
    {
        if (++writes == failAtWrite) {
            if (error)
                *error = QStringLiteral("The system keychain refused the request (locked)");
            return false;
        }
        values.insert(key, value);
        return true;
    }
    bool remove(const QString &key, QString *) override
    {
        values.remove(key);
        return true;
    }
    QHash<QString, QString> values;
    int writes = 0;
    int failAtWrite = 0;
};
} // namespace

class TestSecrets : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;
    QString freshPath() { return m_dir.filePath(QStringLiteral("c%1.sqlite").arg(++m_counter)); }

    // A catalog with three Stripe connections whose api_keys are in the file store.
    static QHash<QString, QString> addConnections(Catalog &catalog, FileSecretStore &file)
    {
        QHash<QString, QString> secrets;
        for (int i = 1; i <= 3; ++i) {
            const qint64 id =
                catalog.addConnection(QStringLiteral("stripe%1").arg(i), QStringLiteral("stripe"),
                                      QJsonObject{{QStringLiteral("batch_size"), 50}});
            const QString key = SecretStore::keyFor(id, QStringLiteral("api_key"));
            secrets.insert(key, QStringLiteral("sk_test_secret_%1").arg(i));
            file.write(key, secrets.value(key));
        }
        return secrets;
    }

private slots:
    void initTestCase()
    {
        // No session bus: the keychain cannot answer, whatever this machine has.
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        qunsetenv("DISPLAY");
        registerBuiltinConnectors();
    }

    void newCatalogWithoutKeychainUsesTheFileAndSaysSoOnce()
    {
        const QString path = freshPath();
        Catalog catalog(path);
        OpenedSecretStore first = openSecretStore(catalog, SecretBackend::Automatic, FileFallback::Allowed);
        QVERIFY2(first.store, qPrintable(first.error));
        QCOMPARE(first.backend, SecretBackend::File);
        QVERIFY2(first.notice.startsWith(QStringLiteral("No system keychain answers here (")),
                 qPrintable(first.notice));
        QVERIFY(first.notice.contains(FileSecretStore::defaultPathFor(path)));
        QCOMPARE(catalog.setting(QStringLiteral("secret_store")), QStringLiteral("file"));

        OpenedSecretStore again = openSecretStore(catalog, SecretBackend::Automatic, FileFallback::Allowed);
        QVERIFY(again.store);
        QCOMPARE(again.backend, SecretBackend::File);
        QVERIFY2(again.notice.isEmpty(), qPrintable(again.notice));
    }

    void theAppAsksBeforeUsingTheFile()
    {
        Catalog catalog(freshPath());
        OpenedSecretStore ask = openSecretStore(catalog, SecretBackend::Automatic, FileFallback::AskFirst);
        QVERIFY(!ask.store);
        QVERIFY(ask.needsFileConsent);
        QVERIFY2(ask.error.startsWith(QStringLiteral("No system keychain answers here")),
                 qPrintable(ask.error));
        QVERIFY2(!ask.error.contains(QStringLiteral("--")), "no command-line flags in what the app shows");
        // Nothing is recorded until the user answers.
        QCOMPARE(catalog.setting(QStringLiteral("secret_store")), QString());
        OpenedSecretStore chosen = openSecretStore(catalog, SecretBackend::File, FileFallback::AskFirst);
        QVERIFY(chosen.store);
        QCOMPARE(catalog.setting(QStringLiteral("secret_store")), QStringLiteral("file"));
    }

    void aCatalogFromBeforeKeepsItsSecretsFile()
    {
        const QString path = freshPath();
        Catalog catalog(path);
        FileSecretStore file(FileSecretStore::defaultPathFor(path));
        const auto secrets = addConnections(catalog, file);
        // Wanting the keychain does not strand secrets already in the file.
        OpenedSecretStore opened = openSecretStore(catalog, SecretBackend::Automatic, FileFallback::AskFirst);
        QVERIFY2(opened.store, qPrintable(opened.error));
        QCOMPARE(opened.backend, SecretBackend::File);
        for (auto it = secrets.begin(); it != secrets.end(); ++it)
            QCOMPARE(opened.store->read(it.key()), it.value());
    }

    void aKeychainCatalogWithoutKeychainIsRefusedWithWhatToDo()
    {
        Catalog catalog(freshPath());
        QVERIFY(catalog.setSetting(QStringLiteral("secret_store"), QStringLiteral("keychain")));
        OpenedSecretStore opened = openSecretStore(catalog, SecretBackend::Automatic, FileFallback::Allowed);
        QVERIFY(!opened.store);
        QVERIFY2(
            opened.error.startsWith(QStringLiteral("This catalog keeps its secrets in the system keychain, "
                                                   "and none answers here (")),
            qPrintable(opened.error));
        QVERIFY(opened.error.contains(QStringLiteral("Unlock the desktop's keyring")));
        // Falling back to an empty file would look like every secret had been lost.
        QVERIFY(!QFile::exists(FileSecretStore::defaultPathFor(catalog.location())));
    }

    void askingForTheOtherStoreSaysToMoveTheSecrets()
    {
        Catalog catalog(freshPath());
        QVERIFY(catalog.setSetting(QStringLiteral("secret_store"), QStringLiteral("file")));
        OpenedSecretStore opened = openSecretStore(catalog, SecretBackend::Keychain, FileFallback::Allowed);
        QVERIFY(!opened.store);
        QVERIFY2(opened.error.contains(QStringLiteral("mako-connect-cli secrets migrate --to keychain")),
                 qPrintable(opened.error));
    }

    // The move stops at its second write: the file is still the store in use, whole.
    void aMoveCutShortLosesNothing()
    {
        const QString path = freshPath();
        Catalog catalog(path);
        FileSecretStore file(FileSecretStore::defaultPathFor(path));
        const auto secrets = addConnections(catalog, file);
        QVERIFY(catalog.setSetting(QStringLiteral("secret_store"), QStringLiteral("file")));

        MemoryStore keychain;
        keychain.failAtWrite = 2;
        const SecretMove cut = moveSecrets(catalog, file, keychain, SecretBackend::Keychain);
        QVERIFY2(cut.error.contains(QStringLiteral("nothing was moved, the secrets stay in the file")),
                 qPrintable(cut.error));
        QCOMPARE(cut.moved, 0);
        QCOMPARE(catalog.setting(QStringLiteral("secret_store")), QStringLiteral("file"));
        OpenedSecretStore opened = openSecretStore(catalog, SecretBackend::Automatic, FileFallback::Allowed);
        QVERIFY(opened.store);
        for (auto it = secrets.begin(); it != secrets.end(); ++it)
            QCOMPARE(opened.store->read(it.key()), it.value());

        // Run again, it completes: every secret in the new store, none left in the file.
        keychain.failAtWrite = 0;
        const SecretMove done = moveSecrets(catalog, file, keychain, SecretBackend::Keychain);
        QVERIFY2(done.error.isEmpty(), qPrintable(done.error));
        QCOMPARE(done.moved, 3);
        QCOMPARE(done.summary, QStringLiteral("Moved 3 secrets to the system keychain"));
        QCOMPARE(keychain.values, secrets);
        QCOMPARE(catalog.setting(QStringLiteral("secret_store")), QStringLiteral("keychain"));
        QVERIFY(!QFile::exists(file.path()));
    }

    // Killed after the commit point, before the old copies went: the new store is the one in use, and the
    // next move only removes the leftovers, never copies stale values over newer ones.
    void aMoveCutAfterItsCommitPointOnlyCleansUp()
    {
        const QString path = freshPath();
        Catalog catalog(path);
        FileSecretStore file(FileSecretStore::defaultPathFor(path));
        const auto secrets = addConnections(catalog, file);
        MemoryStore keychain;
        keychain.values = secrets;
        const QString changed = secrets.keys().first();
        keychain.values.insert(changed, QStringLiteral("sk_test_rotated")); // set again after the move
        QVERIFY(catalog.setSetting(QStringLiteral("secret_store"), QStringLiteral("keychain")));

        const SecretMove again = moveSecrets(catalog, file, keychain, SecretBackend::Keychain);
        QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
        QCOMPARE(again.summary, QStringLiteral("The secrets are already in the system keychain"));
        QCOMPARE(keychain.values.value(changed), QStringLiteral("sk_test_rotated"));
        QVERIFY(!QFile::exists(file.path()));
    }

    void movingToTheFileWritesItInOneSave()
    {
        const QString path = freshPath();
        Catalog catalog(path);
        FileSecretStore scratch(m_dir.filePath(QStringLiteral("scratch.secrets")));
        const auto secrets = addConnections(catalog, scratch);
        MemoryStore keychain;
        keychain.values = secrets;
        QVERIFY(catalog.setSetting(QStringLiteral("secret_store"), QStringLiteral("keychain")));
        FileSecretStore file(FileSecretStore::defaultPathFor(path));
        const SecretMove moved = moveSecrets(catalog, keychain, file, SecretBackend::File);
        QVERIFY2(moved.error.isEmpty(), qPrintable(moved.error));
        QCOMPARE(moved.moved, 3);
        QVERIFY(keychain.values.isEmpty());
        for (auto it = secrets.begin(); it != secrets.end(); ++it)
            QCOMPARE(file.read(it.key()), it.value());
        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                QFileDevice::ReadOther | QFileDevice::WriteOther;
        QCOMPARE(QFile::permissions(file.path()) & others, QFileDevice::Permissions());
        QCOMPARE(catalog.setting(QStringLiteral("secret_store")), QStringLiteral("file"));
    }
};

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
