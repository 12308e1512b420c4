using Microsoft.AspNetCore.Identity;

namespace Nehr.Core.Identity;

/// <summary>
/// Identity settings that shape the database schema. The portal and the design-time factory (migrations) both
/// apply them, so the model the migrations were made from is the model the portal runs with.
/// </summary>
public static class IdentityStoreSettings
{
    public static void Apply(IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
    }
}
