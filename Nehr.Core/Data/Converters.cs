using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Nehr.Core.Administration;
using Nehr.Core.Records;

namespace Nehr.Core.Data;

internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

internal sealed class NricConverter() : ValueConverter<Nric, string>(
    v => v.Value,
    v => Nric.Parse(v));

internal sealed class ProviderCodeConverter() : ValueConverter<ProviderCode, string>(
    v => v.Value,
    v => ProviderCode.Parse(v));
