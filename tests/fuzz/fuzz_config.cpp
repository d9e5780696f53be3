// libFuzzer: a connection's config as a person or a script gives it (CLI --config, an imported connection),
// checked against every built-in connector's spec, with the entities the config defines.
#include "connector.h"
#include "connectorregistry.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool registered = [] {
        registerBuiltinConnectors();
        return true;
    }();
    Q_UNUSED(registered);
    const QJsonObject config =
        QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size))).object();
    for (const ConnectorMetadata &metadata : ConnectorRegistry::instance().all()) {
        validateConfigAgainstSpec(metadata.config, config);
        const QJsonObject full = applyConfigDefaults(metadata.config, config);
        QString error;
        metadata.forConfig(full, &error);
    }
    return 0;
}
