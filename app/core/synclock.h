// I7: one connection is synced by one process at a time, whatever process or machine. A SyncLocks hands out
// per-connection locks that the kernel (or the database) releases when the holder dies, so a crash never
// leaves one stale. SQLite catalogs use an flock(2) on a file beside the catalog; a PostgreSQL catalog will
// use session advisory locks behind the same interface.
#pragma once

#include <QString>

#include <memory>

// Held while alive; destroying it releases the lock.
class SyncLock
{
public:
    virtual ~SyncLock() = default;
};

// Who holds a lock another process took.
struct SyncLockHolder
{
    qint64 pid = 0;
    QString host;
    QString describe() const; // "pid 4242 on host build-7", or "another process" when unknown
};

class SyncLocks
{
public:
    virtual ~SyncLocks() = default;
    // Never blocks. Returns the lock, or nullptr with `holder` (when another process has it) or `error` set.
    virtual std::unique_ptr<SyncLock> tryLock(qint64 connectionId, SyncLockHolder *holder,
                                              QString *error) = 0;
};

// flock(2) on "<catalog>.locks/connection-<id>.lock", which also records the holder's pid and host name.
class FileSyncLocks : public SyncLocks
{
public:
    explicit FileSyncLocks(const QString &catalogPath);
    std::unique_ptr<SyncLock> tryLock(qint64 connectionId, SyncLockHolder *holder, QString *error) override;
    QString lockPath(qint64 connectionId) const;

private:
    QString m_folder;
};
