using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OutboxFillFactor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Claiming a message only sets its lease (columns no index holds): with room left on its page PostgreSQL
            // writes the new row version there without touching the five indexes (a HOT update). Existing pages get
            // the room as they are rewritten.
            migrationBuilder.Sql("""ALTER TABLE outbox_messages SET (fillfactor = 70);""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE outbox_messages RESET (fillfactor);""");
        }
    }
}
