#include "synclock.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSysInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace {

class FileSyncLock : public SyncLock
{
public:
    explicit FileSyncLock(int fd)
        : m_fd(fd)
    {
    }
    ~FileSyncLock() override { ::close(m_fd); } // closing the descriptor releases the flock

private:
    int m_fd;
};

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

QString SyncLockHolder::describe() const
{
    if (pid <= 0)
        return QStringLiteral("another process");
    return host.isEmpty() ? QStringLiteral("pid %1").arg(pid)
                          : QStringLiteral("pid %1 on host %2").arg(pid).arg(host);
}

FileSyncLocks::FileSyncLocks(const QString &catalogPath)
    : m_folder(catalogPath + QStringLiteral(".locks"))
{
}

QString FileSyncLocks::lockPath(qint64 connectionId) const
{
    return m_folder + QStringLiteral("/connection-%1.lock").arg(connectionId);
}

std::unique_ptr<SyncLock> FileSyncLocks::tryLock(qint64 connectionId, SyncLockHolder *holder, QString *error)
{
    if (!QDir().mkpath(m_folder)) {
        *error =
            QStringLiteral("Cannot create the lock folder %1; check that the catalog's folder is writable")
                .arg(m_folder);
        return nullptr;
    }
    const QByteArray path = QFile::encodeName(lockPath(connectionId));
    const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error =
            QStringLiteral("Cannot open the lock file %1: %2").arg(lockPath(connectionId), systemError());
        return nullptr;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const bool taken = errno == EWOULDBLOCK;
        if (taken) {
            // The holder wrote "<pid> <host>" after taking the lock.
            char buffer[256] = {};
            const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
            const QList<QByteArray> parts = QByteArray(buffer, int(qMax<ssize_t>(0, n))).trimmed().split(' ');
            holder->pid = parts.value(0).toLongLong();
            holder->host = QString::fromUtf8(parts.value(1));
        } else {
            *error = QStringLiteral("Cannot lock %1: %2").arg(lockPath(connectionId), systemError());
        }
        ::close(fd);
        return nullptr;
    }
    const QByteArray owner = QByteArray::number(QCoreApplication::applicationPid()) + ' ' +
                             QSysInfo::machineHostName().toUtf8() + '\n';
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, owner.constData(), size_t(owner.size()), 0) < 0) {
        // The lock itself holds; only the holder's name for others' messages is missing.
    }
    return std::make_unique<FileSyncLock>(fd);
}
