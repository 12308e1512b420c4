namespace Nehr.Core.Audit;

/// <summary>Who is acting and from where: the caller part of every audit event.</summary>
public sealed record AuditContext(string? UserId, string? ClientAddress, string CorrelationId)
{
    public static AuditContext System(string correlationId) => new(null, null, correlationId);
}
