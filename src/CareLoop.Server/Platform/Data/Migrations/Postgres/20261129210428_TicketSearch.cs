using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TicketSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TicketSearch",
                columns: table => new
                {
                    TicketId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<long>(type: "bigint", nullable: false),
                    Tokens = table.Column<string>(type: "text", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TicketSearch", x => x.TicketId);
                    table.ForeignKey(
                        name: "FK_TicketSearch_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TicketSearch_Number",
                table: "TicketSearch",
                column: "Number",
                unique: true);

            // The full-text index (ADR 13): GIN over the lexemes of the space-separated tokens. Queries must use the
            // same expression: to_tsvector('simple', "Tokens") @@ to_tsquery('simple', @query).
            migrationBuilder.Sql("""
                CREATE INDEX "IX_TicketSearch_Tokens" ON "TicketSearch" USING gin (to_tsvector('simple', "Tokens"));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_TicketSearch_Tokens";""");

            migrationBuilder.DropTable(
                name: "TicketSearch");
        }
    }
}
