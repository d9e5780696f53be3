// Every compiled-in connector, listed explicitly: adding one is its folder plus one line here.
#include "connectorregistry.h"

#include "close/closeconnector.h"
#include "files/filesconnector.h"
#include "github/githubconnector.h"
#include "graphql/graphqlconnector.h"
#include "posthog/posthogconnector.h"
#include "rest/manifestconnectors.h"
#include "rest/restconnector.h"
#include "stripe/stripeconnector.h"

void registerBuiltinConnectors()
{
    auto &registry = ConnectorRegistry::instance();
    registry.add(StripeConnector::staticMetadata(), [] { return std::make_unique<StripeConnector>(); });
    registry.add(CloseConnector::staticMetadata(), [] { return std::make_unique<CloseConnector>(); });
    registry.add(GitHubConnector::staticMetadata(), [] { return std::make_unique<GitHubConnector>(); });
    registry.add(PostHogConnector::staticMetadata(), [] { return std::make_unique<PostHogConnector>(); });
    registry.add(RestConnector::genericMetadata(), [] { return std::make_unique<RestConnector>(); });
    registry.add(GraphQLConnector::staticMetadata(), [] { return std::make_unique<GraphQLConnector>(); });
    registry.add(FilesConnector::staticMetadata(), [] { return std::make_unique<FilesConnector>(); });
    // Declarative REST manifests (bundled and the user's): each its own connector. A bad one is reported
    // (qWarning and manifestErrors()) and skipped; it never stops the app.
    registerManifestConnectors();
}
