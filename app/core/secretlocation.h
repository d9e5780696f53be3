// Which store holds a catalog's secrets, and moving them between stores. The choice is kept in the catalog
// (setting "secret_store"), so the desktop app and the CLI on one catalog always look in the same place.
// Everything here runs on the calling thread, whose event loop QtKeychain's jobs use.
#pragma once

#include "secretstore.h"

#include <QString>

#include <memory>
#include <optional>

class Catalog;

enum class SecretBackend {
    Automatic, // the keychain where one answers, else the file
    File,
    Keychain,
};

QString secretBackendName(SecretBackend backend); // "automatic", "file", "keychain"
std::optional<SecretBackend> secretBackendFromName(const QString &name);

// Whether the system keychain answers here; `why` says what happened when it does not.
bool keychainAnswers(QString *why = nullptr);

// The store of one kind (File or Keychain) for the catalog at `catalogPath`, or nullptr with `error` set.
std::unique_ptr<SecretStore> createSecretStore(SecretBackend backend, const QString &catalogPath,
                                               QString *error = nullptr);

enum class FileFallback {
    Allowed,  // no keychain answers: use the file and say so in `notice` (the CLI)
    AskFirst, // no keychain answers: return no store with `needsFileConsent` (the app asks, once)
};

struct OpenedSecretStore
{
    std::unique_ptr<SecretStore> store;
    SecretBackend backend = SecretBackend::File; // the kind of `store`
    QString error;                               // no store: what happened and what to do
    QString notice;                              // a store, and something the user should know once
    bool needsFileConsent = false;
};

// Opens the store that holds `catalog`'s secrets. A catalog that has none recorded gets `wanted` (Automatic:
// the keychain where one answers), and that choice is recorded; a catalog from before the choice was kept,
// whose secrets file exists, stays with the file.
OpenedSecretStore openSecretStore(Catalog &catalog, SecretBackend wanted, FileFallback fallback);

struct SecretMove
{
    int moved = 0;   // secrets now in the target store
    QString error;   // empty on success
    QString summary; // what was done, in words
};

// Moves every secret of `catalog`'s connections to the `target` store (File or Keychain). The order makes an
// interruption lose nothing: copy all and read each back, then record the new store in the catalog (one
// statement, the commit point), then remove the old copies. Before the commit point the old store is still
// the one in use and whole; after it the new one is, and a second move to the same target only removes what
// the first left behind.
SecretMove moveSecrets(Catalog &catalog, SecretBackend target);
// The same with the two stores given (tests use a store that fails half-way).
SecretMove moveSecrets(Catalog &catalog, SecretStore &from, SecretStore &to, SecretBackend target);
