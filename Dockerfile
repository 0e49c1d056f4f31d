# The platform's services in one image (API, worker and portal are started by their own commands;
# see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip NODE_ENV=production
COPY . .
# Dev dependencies included: the gexbert command runs its TypeScript sources through tsx (no build step).
RUN npm ci --include=dev --no-audit --no-fund
# The portal's production build (docker-compose runs `next start` on it as its own service).
RUN npx next build apps/portal
CMD ["npx", "gexbert", "start", "--no-demo"]
