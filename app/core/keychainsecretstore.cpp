#include "keychainsecretstore.h"

#include <QEventLoop>
#include <QFileInfo>
#include <qt6keychain/keychain.h>

namespace {
const QString kService = QStringLiteral("Mako Connect");

// QtKeychain jobs are asynchronous; a local event loop makes them read like the file store. The job lives in
// the calling thread, which must not be blocked by anything else meanwhile.
template <typename Job> bool runJob(Job &job, QString *error)
{
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.setAutoDelete(false);
    job.start();
    loop.exec();
    if (job.error() == QKeychain::NoError || job.error() == QKeychain::EntryNotFound)
        return true;
    if (error)
        *error = QStringLiteral("The system keychain refused the request (%1)").arg(job.errorString());
    return false;
}
} // namespace

KeychainSecretStore::KeychainSecretStore(QString catalogPath)
    : m_scope(QFileInfo(catalogPath).absoluteFilePath()) // the same catalog however its path was written
{
}

QString KeychainSecretStore::entryKey(const QString &key) const
{
    // One keychain serves every catalog on the machine: scope entries by the catalog's path.
    return m_scope + QLatin1Char('#') + key;
}

QString KeychainSecretStore::read(const QString &key, QString *error)
{
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(entryKey(key));
    if (!runJob(job, error))
        return {};
    return job.textData();
}

bool KeychainSecretStore::write(const QString &key, const QString &value, QString *error)
{
    QKeychain::WritePasswordJob job(kService);
    job.setKey(entryKey(key));
    job.setTextData(value);
    return runJob(job, error);
}

bool KeychainSecretStore::remove(const QString &key, QString *error)
{
    QKeychain::DeletePasswordJob job(kService);
    job.setKey(entryKey(key));
    return runJob(job, error);
}

bool KeychainSecretStore::isAvailable(QString *why)
{
    // QtKeychain 0.13 has no availability call: a read of an absent entry answers NoBackendAvailable when
    // there is no keychain (headless machines without a Secret Service).
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(QStringLiteral("mako-connect-probe"));
    QString error;
    runJob(job, &error);
    const bool answers = job.error() != QKeychain::NoBackendAvailable && job.error() != QKeychain::OtherError;
    if (!answers && why)
        *why = job.errorString();
    return answers;
}
