// libFuzzer: the REST manifest loader, which reads JSON files people drop into the connectors folder.
#include "rest/restmanifest.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QStringList errors;
    const auto manifest = parseRestManifest(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)),
                                            QStringLiteral("fuzz.json"), &errors);
    if (manifest) {
        const ConnectorMetadata metadata = manifest->metadata();
        for (const EntityInfo &entity : metadata.entities)
            manifest->entity(entity.name);
    }
    return 0;
}
