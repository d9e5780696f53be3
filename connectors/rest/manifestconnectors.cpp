#include "manifestconnectors.h"

#include "connectorregistry.h"
#include "restconnector.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStandardPaths>
#include <QtDebug>

namespace {

const QString kBundled = QStringLiteral(":/manifests");
constexpr qint64 kMaxManifestBytes = 4 * 1024 * 1024;

// Main thread only (start-up), like the registry itself.
QStringList s_errors;
QHash<QString, QString> s_sourceOf; // connector id -> manifest file it was registered from

} // namespace

QStringList manifestSearchPaths()
{
    QStringList dirs;
    const QString env = qEnvironmentVariable("MAKO_CONNECT_MANIFESTS");
    for (const QString &dir : env.split(QLatin1Char(':'), Qt::SkipEmptyParts))
        dirs.append(QDir::cleanPath(dir.trimmed()));
    const QString generic = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (!generic.isEmpty())
        dirs.append(generic + QStringLiteral("/mako-connect/connectors"));
    const QString app = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!app.isEmpty())
        dirs.append(app + QStringLiteral("/connectors"));
    dirs.append(kBundled);
    dirs.removeDuplicates();
    return dirs;
}

QStringList manifestErrors()
{
    return s_errors;
}

int registerManifestConnectors(QStringList *errors)
{
    ConnectorRegistry &registry = ConnectorRegistry::instance();
    QStringList problems;
    int added = 0;
    for (const QString &dirPath : manifestSearchPaths()) {
        const QDir dir(dirPath);
        if (!dir.exists())
            continue;
        const bool bundled = dirPath == kBundled;
        const QStringList files =
            dir.entryList({QStringLiteral("*.json")}, QDir::Files | QDir::Readable, QDir::Name);
        for (const QString &name : files) {
            const QString path = dir.filePath(name);
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                problems.append(
                    QStringLiteral("%1: (file): cannot read it (%2)").arg(path, file.errorString()));
                continue;
            }
            if (file.size() > kMaxManifestBytes) {
                problems.append(QStringLiteral("%1: (file): larger than 4 MB; not a manifest").arg(path));
                continue;
            }
            QStringList fileProblems;
            std::shared_ptr<const RestManifest> manifest =
                parseRestManifest(file.readAll(), path, &fileProblems);
            problems += fileProblems;
            if (!manifest)
                continue;
            const QString id = manifest->id;
            if (registry.contains(id)) {
                const auto source = s_sourceOf.constFind(id);
                if (source != s_sourceOf.constEnd() && *source == path)
                    continue; // registered by an earlier call
                if (bundled && source != s_sourceOf.constEnd())
                    continue; // the user's copy of a bundled manifest takes its place
                problems.append(
                    QStringLiteral("%1: id: \"%2\" is already used by %3; give this manifest another id")
                        .arg(path, id,
                             source != s_sourceOf.constEnd() ? *source
                                                             : QStringLiteral("a built-in connector")));
                continue;
            }
            if (registry.add(manifest->metadata(),
                             [manifest] { return std::make_unique<RestConnector>(manifest); })) {
                s_sourceOf.insert(id, path);
                ++added;
            }
        }
    }
    // A bad manifest never stops the app: it is reported and skipped.
    for (const QString &problem : std::as_const(problems))
        qWarning().noquote() << "Manifest skipped or degraded:" << problem;
    s_errors = problems;
    if (errors)
        *errors += problems;
    return added;
}
