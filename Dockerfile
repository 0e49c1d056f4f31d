# The platform's services in one image (API, worker and portal are started by their own commands).
FROM node:20-bookworm-slim
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip NODE_ENV=production
COPY . .
RUN npm ci --no-audit --no-fund
CMD ["npx", "gexbert", "start", "--no-demo"]
