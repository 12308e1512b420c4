using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class LiveSourceIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_LiveSourceIdentity",
                table: "ClinicalEntries",
                columns: new[] { "SourceSystemId", "SourceIdentifierHash", "EntryKind" },
                unique: true,
                filter: "\"WithdrawnAtUtc\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClinicalEntries_LiveSourceIdentity",
                table: "ClinicalEntries");
        }
    }
}
