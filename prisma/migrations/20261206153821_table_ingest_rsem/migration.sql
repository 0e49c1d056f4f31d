-- AlterEnum
ALTER TYPE "ExpressionUnit" ADD VALUE 'RSEM';

-- AlterEnum
ALTER TYPE "ImportKind" ADD VALUE 'TABLE';
